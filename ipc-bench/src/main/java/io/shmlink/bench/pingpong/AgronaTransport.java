package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.CloseHelper;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.file.Path;

/**
 * The baseline: two Agrona {@link OneToOneRingBuffer}s over {@code /dev/shm} files, of the same capacity as
 * ShmLink's rings. Same shape as {@link ShmLinkTransport}: the echo writes the ping's bytes into the pong ring from
 * inside its read handler. Agrona has no registry, no liveness and no crash recovery, which is what ShmLink's
 * overhead over this buys. In throughput mode the sender waits out a full ping ring, as ShmLink's does; it sends by
 * {@code write} from a source buffer or by {@code tryClaim} and {@code commit}, writing in place ({@link SendMode});
 * the sink reads as ShmLink's does ({@link BurstSink}).
 */
public final class AgronaTransport extends NamedTransport
{
    private static final String PING = "ping.ring";
    private static final String PONG = "pong.ring";
    private static final int MESSAGE_TYPE = 1;

    /** Needed by {@link Transports}. */
    public AgronaTransport()
    {
        super("agrona", ThroughputModes.OFFER_AND_CLAIM);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "two Agrona OneToOneRingBuffers of " + link.ringCapacity() / 1024 + " KiB over /dev/shm files" +
            (link.throughput() ? ", the sink reading up to " + link.sinkBatch() + " messages a call" : "");
    }

    @Override
    public void create(final LinkSpec link)
    {
        final int length = link.ringCapacity() + RingBufferDescriptor.TRAILER_LENGTH;
        MappedFile.createNew(link.directory().resolve(PING), length).close();
        MappedFile.createNew(link.directory().resolve(PONG), length).close();
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return new AgronaPinger(map(link, PING), map(link, PONG), link.messageLength(), watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return new AgronaEcho(map(link, PING), map(link, PONG), link);
    }

    private static MappedFile map(final LinkSpec link, final String name)
    {
        final Path file = link.directory().resolve(name);
        return MappedFile.mapExisting(file);
    }

    private static IllegalStateException refused(final String ring)
    {
        return new IllegalStateException("write to " + ring + " failed although the ring cannot be full");
    }

    private static final class AgronaPinger extends RingPinger implements MessageHandler
    {
        private final MappedFile pingFile;
        private final MappedFile pongFile;
        private final RingBuffer ping;
        private final RingBuffer pong;

        AgronaPinger(final MappedFile pingFile, final MappedFile pongFile, final int messageLength,
            final PeerWatch watch)
        {
            super(messageLength, watch);
            this.pingFile = pingFile;
            this.pongFile = pongFile;
            this.ping = new OneToOneRingBuffer(pingFile.buffer());
            this.pong = new OneToOneRingBuffer(pongFile.buffer());
        }

        @Override
        public long roundTrip(final long sequence)
        {
            message.putLong(0, sequence);
            if (!ping.write(MESSAGE_TYPE, message, 0, messageLength))
            {
                throw refused(PING);
            }
            long spins = 0;
            while (pong.read(this, 1) == 0)
            {
                spins = PeerWatch.spin(watch, spins, sequence);
            }
            return echoed;
        }

        @Override
        public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
        {
            payload = Payload.orNew(payload, messageLength);
            final int last = count - 1;
            for (int i = 0; i < count; i++)
            {
                final long sequence = firstSequence + i;
                long spins = 0;
                if (mode == SendMode.CLAIM)
                {
                    int claimed;
                    // tryClaim() is negative only when the ring is full: the sink is behind.
                    while ((claimed = ping.tryClaim(MESSAGE_TYPE, messageLength)) < 0)
                    {
                        spins = PeerWatch.spin(watch, spins, sequence);
                    }
                    payload.fill(ping.buffer(), claimed, sequence, i == last);
                    ping.commit(claimed);
                }
                else
                {
                    final UnsafeBuffer source = payload.stamp(sequence, i == last);
                    // write() is false only when the ring is full: the sink is behind.
                    while (!ping.write(MESSAGE_TYPE, source, 0, messageLength))
                    {
                        spins = PeerWatch.spin(watch, spins, sequence);
                    }
                }
            }
            inBurst = true;
            long spins = 0;
            while (pong.read(this, 1) == 0)
            {
                spins = PeerWatch.spin(watch, spins, firstSequence + last);
            }
            inBurst = false;
            return acknowledgement;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
            final int length)
        {
            reply(buffer, index, length);
        }

        @Override
        public void close()
        {
            pingFile.close();
            pongFile.close();
        }
    }

    private static final class AgronaEcho implements Echo, MessageHandler
    {
        private final MappedFile pingFile;
        private final MappedFile pongFile;
        private final RingBuffer ping;
        private final RingBuffer pong;
        private final MessageHandler sinkHandler = this::count;
        private final int messageLength;
        private final int sinkBatch;
        private BurstSink burstSink;

        AgronaEcho(final MappedFile pingFile, final MappedFile pongFile, final LinkSpec link)
        {
            this.pingFile = pingFile;
            this.pongFile = pongFile;
            this.ping = new OneToOneRingBuffer(pingFile.buffer());
            this.pong = new OneToOneRingBuffer(pongFile.buffer());
            this.messageLength = link.messageLength();
            this.sinkBatch = link.sinkBatch();
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                if (ping.read(this, 1) == 0 && !control.idle(index))
                {
                    return;
                }
            }
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
            final int length)
        {
            if (!pong.write(msgTypeId, buffer, index, length))
            {
                throw refused(PONG);
            }
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            burstSink = BurstSink.inMode(burstSink, messageLength, mode);
            while (true)
            {
                if (ping.read(sinkHandler, sinkBatch) == 0 && !control.idle(index))
                {
                    return;
                }
            }
        }

        private void count(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (burstSink.onMessage(buffer, index, length))
            {
                // The pong ring holds nothing else: the sender waits for this before its next burst.
                if (!pong.write(msgTypeId, burstSink.acknowledgement(), 0, length))
                {
                    throw refused(PONG);
                }
            }
        }

        @Override
        public void close()
        {
            pingFile.close();
            pongFile.close();
            CloseHelper.close(burstSink);
        }
    }
}
