package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelMode;
import io.shmlink.bench.Orders;
import io.shmlink.examples.chronicle.Order;
import io.shmlink.chronicle.BytesPublisher;
import io.shmlink.chronicle.BytesSubscriber;
import io.shmlink.shm.ShmRegistry;

import java.util.List;
import java.util.function.Consumer;

/**
 * The {@link Order} DTO each way through two ShmLink SPSC channels with ipc-chronicle: the pinger's
 * {@link BytesPublisher} writes the DTO straight into the {@code ping} ring; the echo reads it with
 * {@code readMarshallable} into its reused DTO ({@link BytesSubscriber}) and, from inside that poll, writes that
 * DTO into the {@code pong} ring; the pinger reads the pong into its own reused DTO. Every hop marshals or
 * unmarshals all twelve fields, as an application would; the message is the DTO's 88 bytes whatever
 * {@code --size} says. Compare with {@code chronicle-dto} (the same DTO through Chronicle Queue) and
 * {@code shmlink-spsc} (raw bytes).
 * <p>
 * Two built-in instances: {@code shmlink-chronicle} claims the channel's maximum message length per offer, the
 * default for a DTO of unknown length; {@code shmlink-chronicle-128} promises the publisher that a message takes at
 * most {@value #BOUNDED_CLAIM} bytes ({@link BytesPublisher#BytesPublisher(io.shmlink.api.Publisher, int)}), so
 * consecutive records lie next to each other in the ring instead of a maximum apart.
 */
public final class ShmLinkChronicleTransport extends NamedTransport
{
    private static final String PING = ShmLinkTransport.PING;
    private static final String PONG = ShmLinkTransport.PONG;

    /** The claim length of {@code shmlink-chronicle-128}. */
    static final int BOUNDED_CLAIM = 128;

    /** What each offer claims: 0 for the channel's maximum. */
    private final int claimLength;

    /** Needed by {@link Transports}: claims the channel's maximum. */
    public ShmLinkChronicleTransport()
    {
        this(0);
    }

    /**
     * @param claimLength what each offer claims, 0 for the channel's maximum.
     */
    ShmLinkChronicleTransport(final int claimLength)
    {
        super(claimLength == 0 ? "shmlink-chronicle" : "shmlink-chronicle-" + claimLength, ThroughputModes.NONE);
        this.claimLength = claimLength;
        ChronicleSetup.quiet();
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "two ShmLink SPSC channels of " + link.ringCapacity() / 1024 + " KiB, a " + Orders.LENGTH +
            "-byte Chronicle BytesMarshallable DTO written and read in place (ipc-chronicle), " +
            (claimLength == 0 ? "claims fitted to the messages" : "at most " + claimLength + " bytes a claim");
    }

    @Override
    public List<String> childJvmFlags()
    {
        return ChronicleSetup.JVM_FLAGS;
    }

    /** The echo child makes its own instance from the name: this one must claim as the pinger does. */
    static Transport bounded()
    {
        return new ShmLinkChronicleTransport(BOUNDED_CLAIM);
    }

    private BytesPublisher publisher(final ShmRegistry registry, final String channel)
    {
        return claimLength == 0 ? new BytesPublisher(registry.publisher(channel)) :
            new BytesPublisher(registry.publisher(channel), claimLength);
    }

    @Override
    public void create(final LinkSpec link)
    {
        ChronicleSetup.requireAccess();
        ShmLinkTransport.createPingPong(link, ChannelMode.SPSC);
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
            new OrderPinger(registry, publisher(registry, PING), watch));
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        ChronicleSetup.requireAccess();
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
            new OrderEcho(registry, publisher(registry, PONG)));
    }

    private static final class OrderPinger implements Pinger
    {
        private final ShmRegistry registry;
        private final BytesPublisher ping;
        private final BytesSubscriber pong;
        private final PeerWatch watch;
        private final Order out = Orders.filled();
        private final Order in = new Order();
        private final Consumer<Order> onPong = order -> {};

        OrderPinger(final ShmRegistry registry, final BytesPublisher ping, final PeerWatch watch)
        {
            this.registry = registry;
            this.pong = new BytesSubscriber(registry.subscriber(PONG));
            this.ping = ping;
            this.watch = watch;
        }

        @Override
        public long roundTrip(final long sequence)
        {
            out.orderId = sequence;
            final long result = ping.offer(out);
            if (result <= 0)
            {
                throw ShmLinkTransport.refused(PING, result);
            }
            long spins = 0;
            while (pong.poll(in, onPong, 1) == 0)
            {
                spins = PeerWatch.spin(watch, spins, sequence);
            }
            return in.orderId;
        }

        @Override
        public void close()
        {
            registry.close();
        }
    }

    private static final class OrderEcho implements Echo
    {
        private final ShmRegistry registry;
        private final BytesSubscriber ping;
        private final BytesPublisher pong;
        private final Order order = new Order();
        private final Consumer<Order> echo = this::echo;

        OrderEcho(final ShmRegistry registry, final BytesPublisher pong)
        {
            this.registry = registry;
            this.ping = new BytesSubscriber(registry.subscriber(PING));
            this.pong = pong;
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                if (ping.poll(order, echo, 1) == 0 && !control.idle(index))
                {
                    return;
                }
            }
        }

        private void echo(final Order received)
        {
            final long result = pong.offer(received);
            if (result <= 0)
            {
                throw ShmLinkTransport.refused(PONG, result);
            }
        }

        @Override
        public void close()
        {
            registry.close();
        }
    }
}
