package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelMode;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.wait.ReaderWait;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * {@link ShmLinkTransport}'s two SPSC channels, with every reader waiting as an application that does not own a core
 * would: by ShmLink's blocking poll ({@link Subscriber#poll(MessageHandler, int, long, TimeUnit)}) with the registry's
 * default {@link ReaderWait#blocking()}: spin (up to 100 us) once the ring is empty, then sleep on the
 * subscriber's doorbell, which the next offer rings. The sink and the echo wait so on {@code ping}, the pinger on
 * {@code pong} for each echo and each burst's acknowledgement. What a socket's blocking {@code read} does, in
 * shared memory.
 * <p>
 * A publisher has no doorbell: the API's answer to a full ring is {@link Publisher#BACK_PRESSURED}, and nothing to
 * wait on. The sender waits it out the least CPU-hungry way at hand, Agrona's {@link BackoffIdleStrategy}: a few
 * spins and yields, then {@code parkNanos} from {@value #MIN_PARK_NANOS} ns doubling to {@value #MAX_PARK_NANOS} ns
 * (a park lasts some 50-60 us at least on Linux, its timer slack). A socket's {@code write} instead sleeps in the
 * kernel until the reader has made room.
 * <p>
 * The echo child serves one transport at a time ({@link EchoControl}): a waiting echo or sink looks at the control
 * word whenever its wait of at most {@value #WAIT_MILLIS} ms times out, so a switch of transport takes up to that.
 * A doorbell wake-up is a selector's: the JDK's {@code EPollSelectorImpl} allocates 16 bytes per wake-up once the
 * descriptor number is above 127, which the run's allocation table shows on either side.
 */
public final class ShmLinkBlockingTransport extends NamedTransport
{
    /** The longest single wait of an echo, a sink or the pinger before it looks at the control word or the peer. */
    static final long WAIT_MILLIS = 1;

    private static final int MAX_SPINS = 10;
    private static final int MAX_YIELDS = 5;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 100_000;

    /** Needed by {@link Transports}. */
    public ShmLinkBlockingTransport()
    {
        super("shmlink-spsc-blocking", ThroughputModes.OFFER_AND_CLAIM);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "two ShmLink SPSC channels of " + link.ringCapacity() / 1024 + " KiB, offer + blocking poll: " +
            "readers spin up to " + ReaderWait.blocking().spinNanos() / 1000 + " us, then sleep on the doorbell the " +
            "next offer rings (16 B allocated per wake-up where the descriptor is above 127); a full ring is waited " +
            "out by Agrona's backoff (spin, yield, park " + MIN_PARK_NANOS / 1000 + ".." + MAX_PARK_NANOS / 1000 +
            " us)";
    }

    @Override
    public void create(final LinkSpec link)
    {
        ShmLinkTransport.createPingPong(link, ChannelMode.SPSC);
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
        {
            final Subscriber pong = registry.subscriber(ShmLinkTransport.PONG);
            return new BlockingPinger(registry, registry.publisher(ShmLinkTransport.PING), pong, link.messageLength(),
                watch);
        });
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return Transport.openOn(ShmRegistry.open(link.directory()), registry ->
            new BlockingEcho(registry, link));
    }

    /**
     * {@link ShmLinkPinger}, waiting for the echo by the blocking poll and for ring space by backing off.
     */
    private static final class BlockingPinger extends ShmLinkPinger
    {
        private final IdleStrategy roomWait =
            new BackoffIdleStrategy(MAX_SPINS, MAX_YIELDS, MIN_PARK_NANOS, MAX_PARK_NANOS);

        BlockingPinger(final ShmRegistry registry, final Publisher ping, final Subscriber pong,
            final int messageLength, final PeerWatch watch)
        {
            super(registry, ShmLinkTransport.PING, ping, pong, messageLength, watch);
        }

        @Override
        long waitForRoom(final long spins, final long sequence)
        {
            if (spins == 0)
            {
                roomWait.reset();
            }
            // the backoff parks for up to MAX_PARK_NANOS an idle, so every idle counts as a check interval's worth
            // of spins and the watch is consulted each time, as awaitPong does
            final long next = spins + PeerWatch.SPIN_CHECK_INTERVAL;
            watch.stillWaiting(next, sequence);
            roomWait.idle();
            return next;
        }

        @Override
        void awaitPong(final long sequence)
        {
            long waits = 0;
            while (pong.poll(this, 1, WAIT_MILLIS, TimeUnit.MILLISECONDS) == 0)
            {
                // each timed-out wait counts as a check interval's worth of spins: the watch is consulted every time
                waits += PeerWatch.SPIN_CHECK_INTERVAL;
                watch.stillWaiting(waits, sequence);
            }
        }
    }

    /**
     * {@link ShmLinkTransport}'s echo and sink, waiting on {@code ping} by the blocking poll: each poll waits up to
     * {@value #WAIT_MILLIS} ms, then the control word is looked at, with no spin in between.
     */
    private static final class BlockingEcho extends ShmLinkTransport.ShmLinkEcho
    {
        BlockingEcho(final ShmRegistry registry, final LinkSpec link)
        {
            super(registry, link);
        }

        @Override
        int pollPing(final MessageHandler handler, final int messageLimit)
        {
            return ping.poll(handler, messageLimit, WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        void idle()
        {
        }
    }
}
