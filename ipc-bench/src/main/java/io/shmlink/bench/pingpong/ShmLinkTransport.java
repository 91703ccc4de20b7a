package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * Two ShmLink channels, {@code ping} and {@code pong}, through the public API: the pinger offers on {@code ping}
 * and polls {@code pong}; the echo polls {@code ping} and, from inside its handler, offers the very bytes it was
 * handed on {@code pong} (one copy, ring to ring, as Agrona's echo does).
 * <p>
 * In ping-pong the rings can never be full: a ping is sent only after the previous pong arrived, so a ring holds at
 * most the message being released and the next one, and it has room for eight. A refused offer is therefore a bug
 * and fails the run rather than being retried. In throughput mode the sender does fill the ping ring, and waits out
 * {@link Publisher#BACK_PRESSURED}; any other refusal still fails the run. It sends by {@code offer} from a source
 * buffer or by {@code tryClaim}, writing the message in place ({@link SendMode}); the sink polls up to
 * {@link LinkSpec#sinkBatch()} messages at a time and reads each in place or copies it out first ({@link BurstSink}).
 */
public final class ShmLinkTransport extends NamedTransport
{
    /** The channel of pings; {@link ShmLinkFanOutTransport}'s too. */
    static final String PING = "ping";
    /** The channel of pongs and acknowledgements; {@link ShmLinkFanOutTransport}'s too. */
    static final String PONG = "pong";

    private final ChannelMode mode;

    /**
     * A transport over SPSC or MPSC channels; {@link Transports} makes the two built-in ones.
     *
     * @param mode the channel mode.
     */
    public ShmLinkTransport(final ChannelMode mode)
    {
        super(mode == ChannelMode.SPSC ? "shmlink-spsc" : "shmlink-mpsc", ThroughputModes.OFFER_AND_CLAIM);
        this.mode = mode;
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "two ShmLink " + mode + " channels of " + link.ringCapacity() / 1024 + " KiB, offer + poll" +
            (link.throughput() ? ", the sink polling up to " + link.sinkBatch() + " messages at a time" : "");
    }

    @Override
    public void create(final LinkSpec link)
    {
        createPingPong(link, mode);
    }

    /**
     * Creates the {@code ping} and {@code pong} channels, each of the run's ring capacity.
     *
     * @param link the transport's directory and message length.
     * @param mode both channels' mode.
     */
    static void createPingPong(final LinkSpec link, final ChannelMode mode)
    {
        createPingPong(link, mode, link.ringCapacity());
    }

    /**
     * Creates the {@code ping} and {@code pong} channels, each of the given capacity.
     *
     * @param link     the transport's directory.
     * @param mode     both channels' mode.
     * @param capacity each ring's capacity, a power of two; messages up to an eighth of it.
     */
    static void createPingPong(final LinkSpec link, final ChannelMode mode, final int capacity)
    {
        final ChannelConfig config = new ChannelConfig(mode, capacity, capacity / 8);
        try (ShmRegistry registry = ShmRegistry.open(link.directory()))
        {
            registry.create(PING, config);
            registry.create(PONG, config);
        }
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
        {
            final Subscriber pong = registry.subscriber(PONG);
            return new ShmLinkPinger(registry, PING, registry.publisher(PING), pong, link.messageLength(), watch);
        });
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return echo(link);
    }

    /**
     * The echo: subscribes to {@code ping} and offers every message on {@code pong}; in throughput mode sinks
     * {@code ping} and acknowledges on {@code pong}. Whatever {@code ping}'s mode: the echo child's subscriber of
     * {@link ShmLinkFanOutTransport}'s SPMC {@code ping} is this echo too.
     *
     * @param link the transport's directory and message length.
     * @return the echo, owning its registry.
     */
    static Echo echo(final LinkSpec link)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
            new ShmLinkEcho(registry, link));
    }

    static IllegalStateException refused(final String channel, final long result)
    {
        return new IllegalStateException("offer on '" + channel + "' returned " + result +
            " although the ring cannot be full: the peer is gone or the channel is broken");
    }

    /**
     * The echo and sink of {@code ping}, busy-spinning while it is empty; {@link ShmLinkBlockingTransport}'s waits by
     * the blocking poll instead, through {@link #pollPing} and {@link #idle}.
     */
    static class ShmLinkEcho implements Echo, MessageHandler
    {
        private final ShmRegistry registry;
        final Subscriber ping;
        private final Publisher pong;
        private final MessageHandler sinkHandler = this::count;
        private final int messageLength;
        private final int sinkBatch;
        private BurstSink burstSink;

        ShmLinkEcho(final ShmRegistry registry, final LinkSpec link)
        {
            this.registry = registry;
            this.ping = registry.subscriber(PING);
            this.pong = registry.publisher(PONG);
            this.messageLength = link.messageLength();
            this.sinkBatch = link.sinkBatch();
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                if (pollPing(this, 1) == 0)
                {
                    if (!control.isActive(index))
                    {
                        return;
                    }
                    idle();
                }
            }
        }

        /**
         * One poll of {@code ping}.
         *
         * @param handler      takes each message.
         * @param messageLimit the most messages it takes.
         * @return messages taken.
         */
        int pollPing(final MessageHandler handler, final int messageLimit)
        {
            return ping.poll(handler, messageLimit);
        }

        /** After a poll that found nothing and a look at the control word: a spin hint. */
        void idle()
        {
            Thread.onSpinWait();
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long result = pong.offer(buffer, offset, length);
            if (result <= 0)
            {
                throw refused(PONG, result);
            }
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            burstSink = BurstSink.inMode(burstSink, messageLength, mode);
            while (true)
            {
                if (pollPing(sinkHandler, sinkBatch) == 0)
                {
                    if (!control.isActive(index))
                    {
                        return;
                    }
                    idle();
                }
            }
        }

        private void count(final DirectBuffer buffer, final int offset, final int length)
        {
            if (burstSink.onMessage(buffer, offset, length))
            {
                // The pong ring holds nothing else: the sender waits for this before its next burst.
                final long result = pong.offer(burstSink.acknowledgement(), 0, length);
                if (result <= 0)
                {
                    throw refused(PONG, result);
                }
            }
        }

        @Override
        public void close()
        {
            registry.close();
            CloseHelper.close(burstSink);
        }
    }
}
