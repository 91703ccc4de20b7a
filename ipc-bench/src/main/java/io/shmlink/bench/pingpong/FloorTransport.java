package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

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
 * <b>Throughput.</b> In a throughput run the floor is the bare two-process byte ring: a second file holds a ring of the
 * capacity the rings of the run get ({@link LinkSpec#ringCapacity()}; not the 1 GiB of {@link PageSizeTransport}'s) and
 * two byte positions, each on a line of its own. Messages are packed one after the other, each taking its length
 * rounded up to 8 bytes (so that its longs are aligned, as in Agrona's records; ShmLink's start on 64-byte lines);
 * where the space left before the end of the ring is shorter than that, both sides skip it and the message starts at
 * the ring's start, as a ring's padding record makes them do, but with no record: the length is the run's, so each side
 * computes the skip ({@link #messageStart}). The sender writes a message at the next position (copying it from its
 * source buffer, or writing it there in place: {@link SendMode}) and publishes it by one release store of its position;
 * it reads the sink's position (acquire) only when the position it last read says the ring is full. The sink acquires
 * the sender's position, reads every message up to it ({@link BurstSink}) and hands each one's space back by one
 * release store of its own position. No record header, no length, no check: what any ring that moves the same bytes
 * between two processes, with as much buffering, must do at least. The acknowledgement of a burst goes back through a
 * third line.
 */
public final class FloorTransport extends NamedTransport
{
    /** The file holding the line, in the transport's directory; package-private for tests that fake an echo. */
    static final String FILE = "line";
    private static final int FILE_LENGTH = 4096;
    private static final int VALUE_OFFSET = 0;

    /** The throughput ring's file, in the transport's directory. */
    static final String RING_FILE = "ring";

    /*
     * The ring file's layout. Each position is written by one side only and read by the other: on a line of its own,
     * the sender's stores do not take from the sink the line the sink stores into, nor the other way round (false
     * sharing). Lines 128 bytes apart rather than 64, because the adjacent-line prefetcher of x86 cores fetches lines
     * in aligned pairs, which would make neighbouring lines contend all the same. The data starts on a page of its
     * own, as a ShmLink or Agrona ring's does.
     */
    private static final int PRODUCER_OFFSET = 0;
    private static final int CONSUMER_OFFSET = 128;
    private static final int ACKNOWLEDGED_OFFSET = 256;
    private static final int ACKNOWLEDGEMENT_OFFSET = 384;
    private static final int DATA_OFFSET = 4096;

    /** Needed by {@link Transports}. */
    public FloorTransport()
    {
        super("floor", ThroughputModes.OFFER_AND_CLAIM);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return link.throughput() ?
            "bare two-process byte ring of " + link.ringCapacity() / 1024 + " KiB in a /dev/shm mapping: " +
            "messages packed at " + stride(link.messageLength()) + "-byte steps, no header; the sender releases its " +
            "position per message and reads the sink's only when the ring looks full, the sink acquires once per " +
            "batch and releases per message" :
            "one long on one cache line of a /dev/shm mapping (8 bytes, whatever --size says)";
    }

    @Override
    public void create(final LinkSpec link)
    {
        MappedFile.createNew(link.directory().resolve(FILE), FILE_LENGTH).close();
        if (link.throughput())
        {
            MappedFile.createNew(link.directory().resolve(RING_FILE), DATA_OFFSET + link.ringCapacity()).close();
        }
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return new FloorPinger(link, watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return new FloorEcho(link);
    }

    /**
     * The ring space a message takes: its length rounded up to 8 bytes.
     *
     * @param messageLength bytes per message.
     * @return bytes from one message's start to the next's.
     */
    static int stride(final int messageLength)
    {
        return BitUtil.align(messageLength, Long.BYTES);
    }

    /**
     * Where the message after {@code position} starts: there, unless fewer than {@code stride} bytes are left before
     * the end of the ring, which then lie unused and the message starts at the ring's start.
     *
     * @param position where the previous message ended (0 for the first), counted from the first, never wrapped.
     * @param capacity the ring's capacity, a power of two.
     * @param stride   {@link #stride} of the run's messages, at most {@code capacity}.
     * @return the position the message starts at; its offset in the ring is this modulo {@code capacity}.
     */
    static long messageStart(final long position, final int capacity, final int stride)
    {
        final int toEnd = capacity - ((int)position & (capacity - 1));
        return toEnd < stride ? position + toEnd : position;
    }

    /**
     * What the pinger and the echo share: the line, and in a throughput run the ring, with its geometry.
     */
    private abstract static class FloorSide implements AutoCloseable
    {
        final MappedFile file;
        final UnsafeBuffer line;
        final MappedFile ringFile;
        final int messageLength;
        final int capacity;
        final int stride;

        FloorSide(final LinkSpec link)
        {
            this.file = MappedFile.mapExisting(link.directory().resolve(FILE));
            this.line = file.buffer();
            this.ringFile = link.throughput() ? MappedFile.mapExisting(link.directory().resolve(RING_FILE)) : null;
            this.messageLength = link.messageLength();
            this.capacity = link.ringCapacity();
            this.stride = stride(messageLength);
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(file, ringFile);
        }
    }

    private static final class FloorPinger extends FloorSide implements Pinger
    {
        private final PeerWatch watch;
        private final Acknowledgement acknowledgement = new Acknowledgement();
        private Payload payload;
        private long produced;
        private long consumedSeen;
        private long acknowledged;

        FloorPinger(final LinkSpec link, final PeerWatch watch)
        {
            super(link);
            this.watch = watch;
        }

        @Override
        public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
        {
            payload = Payload.orNew(payload, messageLength);
            final UnsafeBuffer ring = ringFile.buffer();
            final int mask = capacity - 1;
            final int last = count - 1;
            for (int i = 0; i < count; i++)
            {
                final long sequence = firstSequence + i;
                final long start = messageStart(produced, capacity, stride);
                final long end = start + stride;
                long spins = 0;
                while (end - consumedSeen > capacity)
                {
                    consumedSeen = ring.getLongAcquire(CONSUMER_OFFSET);
                    spins = PeerWatch.spin(watch, spins, sequence);
                }
                final int offset = DATA_OFFSET + ((int)start & mask);
                if (mode == SendMode.CLAIM)
                {
                    payload.fill(ring, offset, sequence, i == last);
                }
                else
                {
                    ring.putBytes(offset, payload.stamp(sequence, i == last), 0, messageLength);
                }
                produced = end;
                ring.putLongRelease(PRODUCER_OFFSET, end);
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
    }

    private static final class FloorEcho extends FloorSide implements Echo
    {
        private BurstSink burstSink;
        private long consumed;
        private long acknowledged;

        FloorEcho(final LinkSpec link)
        {
            super(link);
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            burstSink = BurstSink.inMode(burstSink, messageLength, mode);
            final UnsafeBuffer ring = ringFile.buffer();
            final int mask = capacity - 1;
            while (true)
            {
                final long produced = ring.getLongAcquire(PRODUCER_OFFSET);
                if (produced == consumed)
                {
                    if (!control.idle(index))
                    {
                        return;
                    }
                    continue;
                }
                while (consumed < produced)
                {
                    final long start = messageStart(consumed, capacity, stride);
                    final int offset = DATA_OFFSET + ((int)start & mask);
                    final boolean last = burstSink.onMessage(ring, offset, messageLength);
                    consumed = start + stride;
                    ring.putLongRelease(CONSUMER_OFFSET, consumed);
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
                else if (!control.idle(index))
                {
                    return;
                }
            }
        }

        @Override
        public void close()
        {
            super.close();
            CloseHelper.close(burstSink);
        }
    }
}
