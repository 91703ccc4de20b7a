package io.shmlink.shm;

import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.liveness.SubscriberSlots;
import io.shmlink.shm.ring.FanOutGate;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.segment.FanOutDescriptor.SLEEPERS_OFFSET;

/**
 * The publisher of a fan-out channel (SPMC, MPMC): its claims are gated on the slowest attached subscriber, and its
 * liveness tick frees dead subscribers' slots and evicts slow ones ({@link SlowSubscribers}; see
 * {@code docs/DESIGN.md}, "Fan-out"). On an MPMC channel one instance may be used by many threads at once; on an
 * SPMC channel by one thread at a time.
 */
final class FanOutPublisher extends ShmPublisher
{
    /** Its subscribers' slots, watched for death and eviction. */
    private final SlowSubscribers subscribers;

    /** How many subscribers announced that they sleep: read after every send. */
    private final long sleepersAddress;

    FanOutPublisher(final ShmRegistry registry, final ChannelSegment segment, final int session)
    {
        super(registry, segment, session, RingWriter.of(segment, session, new FanOutGate(segment, ProcessToken.SELF,
            token -> !ProcessToken.isAlive(token), claimer -> isClaimerDead(segment, claimer))));
        this.subscribers = new SlowSubscribers(segment);
        this.sleepersAddress =
            segment.address() + FanOutDescriptor.regionOffset(segment.config().capacity()) + SLEEPERS_OFFSET;
    }

    /**
     * Whether the process of a publisher session is known dead, so that nothing of it can write into its claims
     * again: the fan-out gate then lets go of them (reads {@code /proc}; see {@code FanOutGate}).
     */
    private static boolean isClaimerDead(final ChannelSegment segment, final int session)
    {
        if (PartySlots.slotOf(session) < 0)
        {
            return true; // no publisher can have written that session: a scribbled mark holds nothing
        }
        final long token = PartySlots.claimerToken(segment, session);
        return ProcessToken.isAttached(token) && token != ProcessToken.SELF && !ProcessToken.isAlive(token);
    }

    /** One load of the sleepers count, and a look at the slots only when someone sleeps. */
    @Override
    void wakeSubscribersIfAsleep()
    {
        if (UnsafeApi.getLongVolatile(null, sleepersAddress) != 0)
        {
            subscribers.wakeSleepers(ringer);
        }
    }

    /** Connected means any slot attached: the header's subscriber token word counts membership changes here. */
    @Override
    public boolean isConnected()
    {
        return !closed && SubscriberSlots.anyAttached(segment);
    }

    @Override
    public boolean hadSubscriber()
    {
        return subscribers.hadSubscriber();
    }

    @Override
    void watchSubscribers()
    {
        subscribers.onLivenessTick();
        if (!SubscriberSlots.anyAttached(segment))
        {
            connectedToken = NO_TOKEN;
        }
    }

    @Override
    long connectionStatus(final long token)
    {
        return SubscriberSlots.anyAttached(segment) ? 0 : NOT_CONNECTED;
    }
}
