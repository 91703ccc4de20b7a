package io.shmlink.shm;

import io.shmlink.api.MessageHandler;
import io.shmlink.api.SubscriberEvictedException;
import io.shmlink.shm.liveness.SubscriberSlots;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.wait.ReaderWait;


/**
 * One of the subscribers of a fan-out channel (SPMC, MPMC), in a slot of its own. Poll it from one thread at a time;
 * close it from any. Evicted for holding the publishers back longer than the channel's slow-subscriber timeout, it
 * throws {@link SubscriberEvictedException} from that poll on, and gives its slot back (see {@code docs/DESIGN.md},
 * "Fan-out").
 */
final class FanOutSubscriber extends ShmSubscriber
{
    /** The slot this subscriber took, with the attachment word an eviction changes. */
    private final SubscriberSlots.Attachment attachment;

    /** Set once a poll found this subscriber evicted; every later poll throws it again. */
    private volatile SubscriberEvictedException evicted;

    /**
     * @param attachment the slot the attach took; its doorbell word was zeroed by the attach.
     */
    FanOutSubscriber(
        final ShmRegistry registry,
        final ChannelSegment segment,
        final long claimTimeoutNs,
        final ReaderWait wait,
        final SubscriberSlots.Attachment attachment)
    {
        super(registry, segment, claimTimeoutNs, wait,
            new RingReader(segment, attachment.slot(), attachment.attachment(), attachment.start()),
            slotOffset(segment, attachment) + FanOutDescriptor.SLOT_HEARTBEAT_OFFSET,
            slotOffset(segment, attachment) + FanOutDescriptor.SLOT_DOORBELL_OFFSET);
        this.attachment = attachment;
    }

    private static int slotOffset(final ChannelSegment segment, final SubscriberSlots.Attachment attachment)
    {
        return FanOutDescriptor.slotOffset(segment.config().capacity(), attachment.slot());
    }

    /**
     * As a queue's, but an eviction found on the way is remembered, thrown now and by every later poll, and an
     * empty poll also looks for one (an evicted subscriber's next record may not be readable).
     */
    @Override
    int read(final MessageHandler handler, final int messageLimit)
    {
        final SubscriberEvictedException alreadyEvicted = evicted;
        if (alreadyEvicted != null)
        {
            throw alreadyEvicted;
        }
        try
        {
            final int messages = reader.readFanOut(handler, messageLimit);
            if (messages == 0)
            {
                reader.checkAttached(); // before a stall check: an evicted subscriber skips nothing
                onEmptyRead();
            }
            return messages;
        }
        catch (final SubscriberEvictedException ex)
        {
            throw heard(ex);
        }
    }

    /** The stall check of a sleeper's wake-up, which may find this subscriber evicted. */
    @Override
    void checkStalls()
    {
        try
        {
            super.checkStalls();
        }
        catch (final SubscriberEvictedException ex)
        {
            throw heard(ex);
        }
    }

    /**
     * This subscriber heard of its eviction. It keeps the exception for every later poll and gives its slot back:
     * from then on a successor may take it, and nothing of this subscriber writes it again (the liveness tick takes
     * the same lock before it writes the heartbeat and counters).
     */
    private SubscriberEvictedException heard(final SubscriberEvictedException ex)
    {
        synchronized (slotLock)
        {
            if (evicted == null)
            {
                evicted = ex;
                SubscriberSlots.detach(segment, attachment.slot(), attachment.attachment());
            }
            return evicted;
        }
    }

    @Override
    void announceSleep()
    {
        SubscriberSlots.sleeping(segment, attachment.slot());
    }

    /** Not once an eviction heard meanwhile gave the slot back, wait state included. */
    @Override
    void announceAwake()
    {
        if (evicted == null)
        {
            SubscriberSlots.awake(segment, attachment.slot());
        }
    }

    @Override
    boolean ownsSlot()
    {
        return evicted == null;
    }

    @Override
    void detachSlot()
    {
        if (evicted == null)
        {
            SubscriberSlots.detach(segment, attachment.slot(), attachment.attachment());
        }
    }

    @Override
    boolean tickSlot()
    {
        // the caller holds slotLock, which an eviction heard takes to give the slot back
        return evicted == null && super.tickSlot(); // else the slot is not this subscriber's any more
    }
}
