package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * The physical limit: two JVMs bounce one {@code long} on one cache line of a {@code /dev/shm} mapping. A round trip
 * is two cache-line transfers between the cores plus the timer; no ring, no header, no copy. Every other transport
 * is reported as a multiple of this.
 * <p>
 * Protocol: the pinger stores {@code 2 * sequence + 1} (odd: a ping); the echo, seeing an odd value {@code v},
 * stores {@code v + 1} (even: its pong). Stores are release and loads acquire, the same ordering ShmLink and Agrona
 * use to publish a record, so the floor pays no fence they do not. The message size option does not apply: the
 * message is always these 8 bytes.
 * <p>
 * <b>Throughput.</b> In a throughput run the floor is the bare two-process ring: a second file holds
 * {@value #SLOTS} slots of the message length (rounded up to 64 bytes) and two positions on lines of their own. The
 * sender writes a message into the next free slot (copying it from its source buffer, or writing it there in place:
 * {@link SendMode}) and publishes it by one release store of its position; the sink acquires that position, reads
 * the slot ({@link BurstSink}) and frees it by one release store of its own position. No record header, no length,
 * no check: what any ring that moves the same bytes between two processes must do at least. The acknowledgement of
 * a burst goes back through a third line.
 */
public final class FloorTransport implements Transport
{
    /** The file holding the line, in the transport's directory; package-private for tests that fake an echo. */
    static final String FILE = "line";
    private static final int FILE_LENGTH = 4096;
    private static final int VALUE_OFFSET = 0;

    /** The throughput ring's file, in the transport's directory. */
    static final String RING_FILE = "ring";

    /** Slots of the throughput ring: as many messages as the other rings hold ({@link LinkSpec#ringCapacity()}). */
    static final int SLOTS = 8;

    private static final int PRODUCER_OFFSET = 0;
    private static final int CONSUMER_OFFSET = 128;
    private static final int ACKNOWLEDGED_OFFSET = 256;
    private static final int ACKNOWLEDGEMENT_OFFSET = 384;
    private static final int DATA_OFFSET = 4096;

    /** Needed by {@link Transports}. */
    public FloorTransport()
    {
    }

    @Override
    public String name()
    {
        return "floor";
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return link.throughput() ?
            "bare two-process ring: " + SLOTS + " slots of " + slot(link) + " bytes in a /dev/shm mapping, one " +
            "release/acquire long per message each way, no header" :
            "one long on one cache line of a /dev/shm mapping (8 bytes, whatever --size says)";
    }

    @Override
    public ThroughputModes throughputModes()
    {
        return ThroughputModes.OFFER_AND_CLAIM;
    }

    @Override
    public void create(final LinkSpec link)
    {
        MappedFile.createNew(link.directory().resolve(FILE), FILE_LENGTH).close();
        if (link.throughput())
        {
            MappedFile.createNew(link.directory().resolve(RING_FILE), DATA_OFFSET + SLOTS * slot(link)).close();
        }
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return new FloorPinger(MappedFile.mapExisting(file(link)), ring(link), link.messageLength(), watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return new FloorEcho(MappedFile.mapExisting(file(link)), ring(link), link.messageLength());
    }

    private static MappedFile ring(final LinkSpec link)
    {
        return link.throughput() ? MappedFile.mapExisting(link.directory().resolve(RING_FILE)) : null;
    }

    private static int slot(final LinkSpec link)
    {
        return BitUtil.align(link.messageLength(), 64);
    }

    private static Path file(final LinkSpec link)
    {
        return link.directory().resolve(FILE);
    }

    private static final class FloorPinger implements Pinger
    {
        private final MappedFile file;
        private final UnsafeBuffer line;
        private final MappedFile ringFile;
        private final int messageLength;
        private final PeerWatch watch;
        private final Acknowledgement acknowledgement = new Acknowledgement();
        private Payload payload;
        private long produced;
        private long consumedSeen;
        private long acknowledged;

        FloorPinger(final MappedFile file, final MappedFile ringFile, final int messageLength, final PeerWatch watch)
        {
            this.file = file;
            this.line = file.buffer();
            this.ringFile = ringFile;
            this.messageLength = messageLength;
            this.watch = watch;
        }

        @Override
        public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
        {
            payload = Payload.orNew(payload, messageLength);
            final UnsafeBuffer ring = ringFile.buffer();
            final int slot = BitUtil.align(messageLength, 64);
            final int last = count - 1;
            for (int i = 0; i < count; i++)
            {
                final long sequence = firstSequence + i;
                long spins = 0;
                while (produced - consumedSeen >= SLOTS)
                {
                    consumedSeen = ring.getLongAcquire(CONSUMER_OFFSET);
                    spins = PeerWatch.spin(watch, spins, sequence);
                }
                final int offset = DATA_OFFSET + (int)(produced & (SLOTS - 1)) * slot;
                if (mode == SendMode.CLAIM)
                {
                    payload.fill(ring, offset, sequence, i == last);
                }
                else
                {
                    ring.putBytes(offset, payload.stamp(sequence, i == last), 0, messageLength);
                }
                ring.putLongRelease(PRODUCER_OFFSET, ++produced);
            }
            long spins = 0;
            while (ring.getLongAcquire(ACKNOWLEDGED_OFFSET) == acknowledged)
            {
                spins = PeerWatch.spin(watch, spins, firstSequence + last);
            }
            acknowledged++;
            return acknowledgement.read(ring, ACKNOWLEDGEMENT_OFFSET);
        }

        @Override
        public long roundTrip(final long sequence)
        {
            final long ping = 2 * sequence + 1;
            line.putLongRelease(VALUE_OFFSET, ping);
            long value;
            long spins = 0;
            while ((value = line.getLongAcquire(VALUE_OFFSET)) == ping)
            {
                spins = PeerWatch.spin(watch, spins, sequence);
            }
            // The echo writes ping + 1; decode so that any other value reads as a wrong sequence.
            return (value - 2) / 2;
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(file, ringFile);
        }
    }

    private static final class FloorEcho implements Echo
    {
        private final MappedFile file;
        private final UnsafeBuffer line;
        private final MappedFile ringFile;
        private final int messageLength;
        private BurstSink burstSink;
        private long consumed;
        private long acknowledged;

        FloorEcho(final MappedFile file, final MappedFile ringFile, final int messageLength)
        {
            this.file = file;
            this.line = file.buffer();
            this.ringFile = ringFile;
            this.messageLength = messageLength;
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            burstSink = BurstSink.inMode(burstSink, messageLength, mode);
            final UnsafeBuffer ring = ringFile.buffer();
            final int slot = BitUtil.align(messageLength, 64);
            while (true)
            {
                final long produced = ring.getLongAcquire(PRODUCER_OFFSET);
                if (produced == consumed)
                {
                    if (!control.isActive(index))
                    {
                        return;
                    }
                    Thread.onSpinWait();
                    continue;
                }
                while (consumed < produced)
                {
                    final int offset = DATA_OFFSET + (int)(consumed & (SLOTS - 1)) * slot;
                    final boolean last = burstSink.onMessage(ring, offset, messageLength);
                    ring.putLongRelease(CONSUMER_OFFSET, ++consumed);
                    if (last)
                    {
                        ring.putBytes(ACKNOWLEDGEMENT_OFFSET, burstSink.acknowledgement(), 0, Acknowledgement.LENGTH);
                        ring.putLongRelease(ACKNOWLEDGED_OFFSET, ++acknowledged);
                    }
                }
            }
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                final long value = line.getLongAcquire(VALUE_OFFSET);
                if ((value & 1) != 0)
                {
                    line.putLongRelease(VALUE_OFFSET, value + 1);
                }
                else
                {
                    if (!control.isActive(index))
                    {
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(file, ringFile);
            CloseHelper.close(burstSink);
        }
    }
}
