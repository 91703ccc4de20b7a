package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.api.SubscriberInfo;
import io.shmlink.shm.ShmRegistry;
import org.agrona.DirectBuffer;

/**
 * ShmLink fan-out ({@code shmlink-spmc-N}): the pinger offers on one SPMC channel, {@code ping}, to which {@code N}
 * subscribers in {@code N} JVMs are attached (roles: {@link FanOutTransport}). Subscriber 0, the echo child, offers
 * the very bytes it was handed on an SPSC channel, {@code pong}, from inside its handler, as
 * {@link ShmLinkTransport}'s echo does; so the round trip is that of {@code shmlink-spsc} but for the ping channel's
 * mode and its other subscribers. Every channel has {@code shmlink-spsc}'s capacity.
 * <p>
 * The side subscribers read every ping too, so a ring that one of them has not emptied holds the publisher back (the
 * fan-out's rule): unlike the point-to-point transports, the pinger waits out {@link Publisher#BACK_PRESSURED} in
 * ping-pong as well, and that wait is part of the round trip it measures. Any other refusal fails the run. In
 * throughput mode each side acknowledges every burst on its own SPSC channel, {@code ack-<role>}; the pinger waits
 * for all of them. It sends by {@code offer} or by {@code tryClaim} ({@link SendMode}).
 */
public class ShmLinkFanOutTransport extends FanOutTransport
{
    private static final String PING = ShmLinkTransport.PING;
    private static final String PONG = ShmLinkTransport.PONG;
    private static final String ACK = "ack-";

    /**
     * @param subscribers how many subscribers read every ping, the echoing one included; {@link Transports} makes
     *                    the built-in ones with 1, 2 and 3.
     */
    public ShmLinkFanOutTransport(final int subscribers)
    {
        super("shmlink-spmc-" + subscribers, ThroughputModes.OFFER_AND_CLAIM, subscribers);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "a ShmLink SPMC channel of " + fanOutCapacity(link) / 1024 + " KiB, offer + poll, to " +
            describeSubscribers("SPSC channel of the same size");
    }

    @Override
    public void create(final LinkSpec link)
    {
        final int capacity = link.ringCapacity();
        try (ShmRegistry registry = ShmRegistry.open(link.directory()))
        {
            registry.create(
                PING, new ChannelConfig(ChannelMode.SPMC, fanOutCapacity(link), capacity / 8, subscribers()));
            registry.create(PONG, new ChannelConfig(ChannelMode.SPSC, capacity, capacity / 8));
            if (link.throughput())
            {
                for (int role = 1; role < subscribers(); role++)
                {
                    registry.create(ACK + role, new ChannelConfig(ChannelMode.SPSC, capacity, capacity / 8));
                }
            }
        }
    }

    @Override
    Pinger openPinger(final LinkSpec link, final FanOutSides sides)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
            new FanOutPinger(registry, registry.subscriber(PONG), link, sides, subscribers()));
    }

    /**
     * {@code shmlink-spsc}'s echo, subscribed to the SPMC {@code ping} and answering on {@code pong}.
     */
    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return ShmLinkTransport.echo(link);
    }

    @Override
    SideReader openSide(final LinkSpec link, final int role, final MessageHandler handler)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
            new FanOutSide(registry, link.throughput() ? ACK + role : null, handler));
    }

    /**
     * {@link ShmLinkPinger}, checking that every subscriber is attached first, awaiting the other subscribers'
     * acknowledgements after each burst and, at close, their count of what they received.
     */
    private static final class FanOutPinger extends ShmLinkPinger
    {
        private final Subscriber[] acks;
        private final FanOutSides sides;
        private final MessageHandler ackHandler;

        FanOutPinger(
            final ShmRegistry registry, final Subscriber pong, final LinkSpec link, final FanOutSides sides,
            final int subscribers)
        {
            super(registry, PING, attachedToAll(registry, subscribers), pong, link.messageLength(), sides);
            this.acks = new Subscriber[link.throughput() ? sides.count() : 0];
            for (int i = 0; i < acks.length; i++)
            {
                acks[i] = registry.subscriber(ACK + (i + 1));
            }
            this.sides = sides;
            this.ackHandler = sides::read;
        }

        /** The publisher of pings, once every subscriber is attached to its channel. */
        private static Publisher attachedToAll(final ShmRegistry registry, final int subscribers)
        {
            final Publisher ping = registry.publisher(PING);
            final ChannelInfo info = registry.lookup(PING).orElseThrow();
            final long attached = info.subscribers().stream().filter(SubscriberInfo::alive).count();
            if (attached != subscribers)
            {
                ping.close();
                throw new IllegalStateException("'" + PING + "' has " + attached + " live subscribers, expected " +
                    subscribers + ": " + info.subscribers());
            }
            return ping;
        }

        @Override
        void afterBurst(final long lastSequence, final Acknowledgement acknowledgement)
        {
            for (int i = 0; i < acks.length; i++)
            {
                long spins = 0;
                while (acks[i].poll(ackHandler, 1) == 0)
                {
                    spins = PeerWatch.spin(sides, spins, lastSequence);
                }
                sides.check(i + 1, acknowledgement);
            }
        }

        /**
         * Ends the side subscribers first, checking that each received every message sent, then detaches.
         */
        @Override
        public void close()
        {
            sides.finishThenDetach(sent(), super::close);
        }
    }

    private static final class FanOutSide implements SideReader
    {
        private final ShmRegistry registry;
        private final Subscriber ping;
        private final Publisher ack;
        private final String ackChannel;
        private final MessageHandler handler;

        FanOutSide(final ShmRegistry registry, final String ackChannel, final MessageHandler handler)
        {
            this.registry = registry;
            this.ping = registry.subscriber(PING);
            this.ack = ackChannel == null ? null : registry.publisher(ackChannel);
            this.ackChannel = ackChannel;
            this.handler = handler;
        }

        @Override
        public int poll(final int limit)
        {
            return ping.poll(handler, limit);
        }

        @Override
        public void acknowledge(final DirectBuffer buffer, final int length)
        {
            // The ring holds nothing else: the pinger reads each acknowledgement before its next burst.
            final long result = ack.offer(buffer, 0, length);
            if (result <= 0)
            {
                throw ShmLinkTransport.refused(ackChannel, result);
            }
        }

        @Override
        public void close()
        {
            registry.close();
        }
    }

    /**
     * The fan-out ring's capacity: the run's ({@link LinkSpec#ringCapacity()}), unless
     * {@code -Dpingpong.fanout.capacity=BYTES} (a power of two) sets a larger one, e.g. Aeron's term length, to
     * compare with equal buffers: with more spinning threads than cores, the ring must absorb a subscriber's
     * time off the CPU.
     */
    private static int fanOutCapacity(final LinkSpec link)
    {
        return Math.max(link.ringCapacity(), Integer.getInteger("pingpong.fanout.capacity", 0));
    }
}
