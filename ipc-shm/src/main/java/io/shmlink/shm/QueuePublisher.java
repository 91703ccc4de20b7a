package io.shmlink.shm;

import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_DOORBELL_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SIGNALLED;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;

/**
 * The publisher of a queue (SPSC, MPSC): one subscriber, whose token, wait state and doorbell live in the header.
 * On an MPSC channel one instance may be used by many threads at once; on an SPSC channel by one thread at a time.
 */
final class QueuePublisher extends ShmPublisher
{
    /** The subscriber's wait state: read after every send, to ring its doorbell if it sleeps. */
    private final long waitStateAddress;

    /**
     * The subscriber token the liveness monitor last found to name a dead process. Offers compare it with the
     * token in the segment, so a new subscriber taking the slot reconnects this publisher at once.
     */
    private volatile long deadSubscriberToken = NO_TOKEN;

    QueuePublisher(final ShmRegistry registry, final ChannelSegment segment, final int session)
    {
        super(registry, segment, session, RingWriter.of(segment, session));
        this.waitStateAddress = segment.address() + SUBSCRIBER_WAIT_STATE_OFFSET;
    }

    /**
     * The wait state shares a line every send has just read for the subscriber's token, so an awake subscriber
     * costs one load. Small enough for the JIT to inline into every send.
     */
    @Override
    void wakeSubscribersIfAsleep()
    {
        // volatile rather than plain so the JIT cannot hoist the read out of a caller's offer loop
        if (UnsafeApi.getIntVolatile(null, waitStateAddress) == WAIT_STATE_SLEEPING)
        {
            wakeSubscriber();
        }
    }

    /**
     * Of all publishers that find the subscriber asleep, the one whose CAS wins rings; the rest see SIGNALLED and
     * do nothing, so a burst of offers costs one ring.
     */
    private void wakeSubscriber()
    {
        if (buffer.compareAndSetInt(SUBSCRIBER_WAIT_STATE_OFFSET, WAIT_STATE_SLEEPING, WAIT_STATE_SIGNALLED))
        {
            ringer.ring(
                buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET), buffer.getIntVolatile(SUBSCRIBER_DOORBELL_OFFSET));
        }
    }

    @Override
    public boolean isConnected()
    {
        final long token = buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET);
        return ProcessToken.isAttached(token) && token != deadSubscriberToken && !closed;
    }

    @Override
    public boolean hadSubscriber()
    {
        return buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET) != ProcessToken.NONE;
    }

    @Override
    void watchSubscribers()
    {
        final long token = buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET);
        // a token found dead stays dead: asked again, it would cost an alive-file probe (garbage) every tick until
        // a new subscriber takes the slot
        if (ProcessToken.isAttached(token) && token != deadSubscriberToken && !ProcessToken.isAlive(token))
        {
            deadSubscriberToken = token;
            connectedToken = NO_TOKEN;
        }
    }

    @Override
    long connectionStatus(final long token)
    {
        return token == ProcessToken.DETACHED || token == deadSubscriberToken ? NOT_CONNECTED : 0;
    }
}
