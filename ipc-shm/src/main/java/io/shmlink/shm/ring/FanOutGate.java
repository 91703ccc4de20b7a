package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.function.LongPredicate;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.segment.FanOutDescriptor.CLEANER_TOKEN_OFFSET;
import static io.shmlink.shm.segment.FanOutDescriptor.SLOT_ATTACHMENT_OFFSET;
import static io.shmlink.shm.segment.FanOutDescriptor.SLOT_HEAD_OFFSET;
import static io.shmlink.shm.segment.FanOutDescriptor.STATE_ATTACHED;
import static io.shmlink.shm.segment.FanOutDescriptor.STATE_ATTACHING;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;

/**
 * How publishers of a fan-out channel (SPMC, MPMC) learn how far they may write: the slowest attached subscriber's
 * head, as the Disruptor gates a producer on its consumers' sequences. Publishers cache the result and come here
 * only when the cache says the ring is full, so the cost of a message does not grow with the subscribers.
 * <p>
 * The result is stored as the channel's <i>released</i> position in the header's head word, where SPSC and MPSC keep
 * their subscriber's head: everything below it has been read by every subscriber. MPMC publishers, who find free
 * space by its free words ({@code segment.FreeWord}), first mark the space between the old and the new released
 * position free for its next lap: the one of them that holds the cleaner lease (a CAS of its process token into the
 * segment) does, others wait for it (back-pressured). A lease whose holder died is taken over and the marking done
 * again from the released position, which moves only once marking is done. Subscribers write nothing into the ring
 * but their skips, so none of them can leave it half marked. See {@code docs/DESIGN.md}, "Fan-out".
 * <p>
 * Thread-safe: an MPMC writer shares one gate among its threads; the lease serialises the marking.
 */
public final class FanOutGate
{
    /** How often a publisher may ask whether a lease holder lives ({@code /proc}, allocating). */
    private static final long LEASE_CHECK_INTERVAL_NS = 10_000_000;

    private final ChannelSegment segment;
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int subscribers;
    private final int firstSlot;
    private final int regionOffset;

    /** MPMC: marks released space free; null for SPMC. */
    private final FreeSpace freeSpace;
    private final long ownToken;
    private final LongPredicate isDead;
    private long lastLeaseCheckNs;

    /**
     * @param segment  the fan-out channel.
     * @param ownToken this process's token, written as the cleaner lease.
     * @param isDead   whether a process token names a dead process (reads {@code /proc}: called at most every
     *                 10 ms per gate).
     */
    public FanOutGate(final ChannelSegment segment, final long ownToken, final LongPredicate isDead)
    {
        this.segment = segment;
        this.buffer = segment.buffer();
        this.capacity = segment.config().capacity();
        this.subscribers = segment.config().maxSubscribers();
        this.regionOffset = FanOutDescriptor.regionOffset(capacity);
        this.firstSlot = FanOutDescriptor.slotOffset(capacity, 0);
        this.freeSpace = segment.config().mode().isMultiPublisher() ?
            new FreeSpace(segment.address() + RING_OFFSET, capacity) : null;
        this.ownToken = ownToken;
        this.isDead = isDead;
    }

    /**
     * Reads every subscriber's head and moves the released position up to the slowest one (MPMC: marking the space
     * free first, if this publisher gets the lease).
     *
     * @return the released position: publishers may claim up to a ring past it.
     */
    long refresh()
    {
        final long released = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        final long slowest = slowestHead(buffer.getLongVolatile(TAIL_POSITION_OFFSET));
        if (slowest <= released)
        {
            return released;
        }
        if (freeSpace == null)
        {
            buffer.putLongRelease(HEAD_POSITION_OFFSET, slowest); // SPMC: the sole publisher writes it
            return slowest;
        }
        return takeLeaseAndMark(slowest);
    }

    /**
     * The head of the slowest subscriber that publishers must wait for, or {@code tail} if none: attached ones,
     * and attaching ones whose head is already within a ring of the tail (an attach in progress stores its head,
     * then reads the tail again and starts there, so one not seen yet loses nothing; see
     * {@code liveness.SubscriberSlots}).
     *
     * @param tail the tail, read before this call.
     * @return the position.
     */
    public long slowestHead(final long tail)
    {
        long slowest = tail;
        for (int slot = 0; slot < subscribers; slot++)
        {
            final int offset = firstSlot + slot * FanOutDescriptor.SLOT_LENGTH;
            final long attachment = buffer.getLongVolatile(offset + SLOT_ATTACHMENT_OFFSET);
            final int state = FanOutDescriptor.state(attachment);
            if (state != STATE_ATTACHED && state != STATE_ATTACHING)
            {
                continue;
            }
            final long head = buffer.getLongVolatile(offset + SLOT_HEAD_OFFSET);
            final boolean inRange = (head & (ALIGNMENT - 1)) == 0 && head >= 0 && tail - head <= capacity;
            if (!inRange && head <= tail)
            {
                // an attach in progress, or a slot that changed hands between the two loads, may show a head left
                // by an earlier holder; an attached subscriber that stays put with such a head is corrupt
                if (state == STATE_ATTACHED && buffer.getLongVolatile(offset + SLOT_ATTACHMENT_OFFSET) == attachment &&
                    buffer.getLongVolatile(offset + SLOT_HEAD_OFFSET) == head)
                {
                    throw segment.corrupt("subscriber slot " + slot + " head position", head + " (tail " + tail +
                        ", capacity " + capacity + ": an attached subscriber's head is 8-aligned and within one" +
                        " ring behind the tail)");
                }
                continue;
            }
            if (head > tail)
            {
                // the tail moved on since it was read (MPMC); a head is never ahead of the tail as it is now
                final long tailNow = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
                if (head > tailNow || (head & (ALIGNMENT - 1)) != 0)
                {
                    throw segment.corrupt("subscriber slot " + slot + " head position", head + " (tail " + tailNow +
                        ": a subscriber's head is 8-aligned and never ahead of the tail)");
                }
                continue;
            }
            slowest = Math.min(slowest, head);
        }
        return slowest;
    }

    private long takeLeaseAndMark(final long slowest)
    {
        final long holder = buffer.getLongVolatile(regionOffset + CLEANER_TOKEN_OFFSET);
        if (holder != 0)
        {
            if (holder == ownToken || !leaseHolderDead(holder) ||
                !buffer.compareAndSetLong(regionOffset + CLEANER_TOKEN_OFFSET, holder, ownToken))
            {
                return buffer.getLongAcquire(HEAD_POSITION_OFFSET); // another marks; back-pressured until it is done
            }
        }
        else if (!buffer.compareAndSetLong(regionOffset + CLEANER_TOKEN_OFFSET, 0, ownToken))
        {
            return buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        }
        try
        {
            // read again under the lease: a predecessor may have moved it, or died before it could
            final long from = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
            if (slowest <= from)
            {
                return from;
            }
            if ((from & (ALIGNMENT - 1)) != 0 || from < 0 || slowest - from > capacity)
            {
                throw segment.corrupt("released position", from + " (slowest subscriber at " + slowest +
                    ", capacity " + capacity + ": 8-aligned and within one ring behind every subscriber)");
            }
            freeSpace.release(from, (int)(slowest - from));
            VarHandle.storeStoreFence(); // every free word before the released position that names it
            buffer.putLongRelease(HEAD_POSITION_OFFSET, slowest);
            return slowest;
        }
        finally
        {
            buffer.putLongRelease(regionOffset + CLEANER_TOKEN_OFFSET, 0);
        }
    }

    private boolean leaseHolderDead(final long holder)
    {
        final long now = System.nanoTime();
        if (now - lastLeaseCheckNs < LEASE_CHECK_INTERVAL_NS)
        {
            return false;
        }
        lastLeaseCheckNs = now;
        return isDead.test(holder);
    }
}
