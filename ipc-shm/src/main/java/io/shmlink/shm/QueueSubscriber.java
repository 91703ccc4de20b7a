package io.shmlink.shm;

import io.shmlink.api.MessageHandler;
import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.wait.ReaderWait;

import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_DOORBELL_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_HEARTBEAT_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_AWAKE;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;

/**
 * The one subscriber of a queue (SPSC, MPSC), in the header's subscriber region. Poll it from one thread at a
 * time; close it from any.
 */
final class QueueSubscriber extends ShmSubscriber
{
    QueueSubscriber(
        final ShmRegistry registry, final ChannelSegment segment, final long claimTimeoutNs, final ReaderWait wait)
    {
        super(registry, segment, claimTimeoutNs, wait,
            new RingReader(segment, segment.config().mode().isMultiPublisher()),
            SUBSCRIBER_HEARTBEAT_OFFSET, SUBSCRIBER_DOORBELL_OFFSET);
        // a predecessor that died asleep left its doorbell announced: publishers must not ring a dead socket
        buffer.putIntVolatile(SUBSCRIBER_DOORBELL_OFFSET, 0);
        buffer.putIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET, WAIT_STATE_AWAKE);
    }

    @Override
    int read(final MessageHandler handler, final int messageLimit)
    {
        final int messages = reader.read(handler, messageLimit);
        if (messages == 0)
        {
            onEmptyRead();
        }
        return messages;
    }

    @Override
    void announceSleep()
    {
        buffer.putIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET, WAIT_STATE_SLEEPING);
    }

    @Override
    void announceAwake()
    {
        buffer.putIntRelease(SUBSCRIBER_WAIT_STATE_OFFSET, WAIT_STATE_AWAKE);
    }

    @Override
    boolean ownsSlot()
    {
        return true;
    }

    @Override
    void detachSlot()
    {
        PartySlots.detachSubscriber(segment);
    }
}
