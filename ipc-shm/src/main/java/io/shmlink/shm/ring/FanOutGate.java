package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static org.agrona.BitUtil.align;
import static io.shmlink.shm.segment.FanOutDescriptor.CLEANER_TARGET_OFFSET;
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
 * The released position never passes a record that a claimer may still write: a claim not yet committed, or a
 * skipped claim still held, stops it until its claimer lets go or is known dead. Every subscriber past such a
 * record holds its own head there if it skipped it, but one that attached after it was claimed never saw it, and
 * the released position must not leave it to them: so the gate walks the records it releases. A gap (MPMC: a
 * claimer between its tail CAS and its header) is taken word by word as padding, as a subscriber takes one: the
 * claimer's header CAS then fails, and it claims again. MPMC publishers walk at once; a walk stops where another
 * publisher's release has overtaken it, since the space behind the released position may hold the next lap.
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
    private final IntPredicate isClaimerDead;
    private final int mask;
    private final int capacityShift;
    private final boolean gapsPossible;
    private long lastLeaseCheckNs;

    /** When the walk last asked whether a claimer is dead. */
    private long lastClaimerCheckNs;

    /**
     * @param segment  the fan-out channel.
     * @param ownToken this process's token, written as the cleaner lease.
     * @param isDead   whether a process token names a dead process (reads {@code /proc}: called at most every
     *                 10 ms per gate).
     * @param isClaimerDead whether the process of a publisher session is known dead, so that none of it can write
     *                 into a claim again (called at most every 10 ms per gate, for a claim the walk stops at).
     */
    public FanOutGate(
        final ChannelSegment segment, final long ownToken, final LongPredicate isDead, final IntPredicate isClaimerDead)
    {
        this.isClaimerDead = isClaimerDead;
        this.mask = segment.config().capacity() - 1;
        this.capacityShift = Integer.numberOfTrailingZeros(segment.config().capacity());
        this.gapsPossible = segment.config().mode().isMultiPublisher();
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
        this.lastLeaseCheckNs = System.nanoTime() - LEASE_CHECK_INTERVAL_NS; // the first look is not put off
        this.lastClaimerCheckNs = lastLeaseCheckNs;
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
        if ((released & (ALIGNMENT - 1)) != 0 || released < 0 || slowest - released > capacity)
        {
            throw segment.corrupt("released position", released + " (slowest subscriber at " + slowest +
                ", capacity " + capacity + ": 64-aligned and within one ring behind every subscriber)");
        }
        final long releasable = releasable(released, slowest);
        if (releasable <= released)
        {
            // stopped at once: a claim holds it, or (MPMC) the cleaner is marking from here, or died doing so
            return freeSpace == null ? released : finishDeadCleanersMarking(released);
        }
        if (freeSpace == null)
        {
            buffer.putLongRelease(HEAD_POSITION_OFFSET, releasable); // SPMC: the sole publisher writes it
            return releasable;
        }
        return takeLeaseAndMark(releasable);
    }

    /**
     * Walks the records from the released position towards the slowest head and says how far nothing can be
     * written any more: up to the first claim not yet committed, or skipped claim still held, whose claimer is not
     * known dead. A dead claimer's record becomes padding by one CAS (a claim still claimed is counted lost); an
     * MPMC gap is taken word by word. Every length is bounded before it is used, and the walk lands exactly on the
     * slowest head or the channel is corrupt; at most a ring per walk.
     */
    private long releasable(final long released, final long slowest)
    {
        long position = released;
        while (position < slowest)
        {
            final int index = (int)position & mask;
            final int offset = RING_OFFSET + index;
            final long header = buffer.getLongVolatile(offset);
            if (gapsPossible && buffer.getLongVolatile(HEAD_POSITION_OFFSET) > position)
            {
                // another MPMC publisher released this space meanwhile, and it may hold a later lap's records now
                return position;
            }
            final int frameLength = RecordDescriptor.frameLength(header);
            if (frameLength == 0)
            {
                if (gapsPossible && header == FreeWord.of(position + capacity, capacityShift))
                {
                    return position; // the cleaner is marking this space free for its next lap right now
                }
                if (!gapsPossible || header != FreeWord.of(position, capacityShift))
                {
                    throw segment.corrupt("record header", "0x" + Long.toHexString(header) + " at position " +
                        position + " below a subscriber's head " + slowest + " (no record and no gap)");
                }
                if (buffer.compareAndSetLong(offset, header, RecordDescriptor.header(ALIGNMENT, PADDING_TYPE)))
                {
                    position += ALIGNMENT;
                }
                continue; // lost the word to its claimer's header, or took it: look again
            }
            final int magnitude = frameLength < 0 ? -frameLength : frameLength;
            if (magnitude < HEADER_LENGTH || magnitude > capacity - index || magnitude > slowest - position)
            {
                throw segment.corrupt("record length", frameLength + " at position " + position + " (a record is " +
                    HEADER_LENGTH + " bytes or more, ends inside the ring and before a subscriber's head " +
                    slowest + ")");
            }
            final int aligned = align(magnitude, ALIGNMENT); // both ends 64-aligned: stays within the bounds
            final int type = RecordDescriptor.type(header);
            if (frameLength < 0 || RecordDescriptor.isSkipped(type))
            {
                if (!isClaimerDead(frameLength < 0 ? type : ~type))
                {
                    return position;
                }
                if (!buffer.compareAndSetLong(offset, header, RecordDescriptor.header(aligned, PADDING_TYPE)))
                {
                    continue; // its claimer let go after all
                }
                if (frameLength < 0)
                {
                    buffer.getAndAddLong(LOST_CLAIMS_OFFSET, 1);
                }
            }
            position += aligned;
        }
        return position;
    }

    /** Asks whether a claimer is dead, at most every 10 ms for a claim the walk stops at again. */
    private boolean isClaimerDead(final int session)
    {
        final long now = System.nanoTime();
        if (session <= 0)
        {
            return true; // a claim no publisher can have made: nothing will write into it
        }
        if (now - lastClaimerCheckNs < LEASE_CHECK_INTERVAL_NS)
        {
            return false; // at most one look at /proc per 10 ms, on the send path
        }
        lastClaimerCheckNs = now;
        return isClaimerDead.test(session);
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
                        ", capacity " + capacity + ": an attached subscriber's head is 64-aligned and within one" +
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
                        ": a subscriber's head is 64-aligned and never ahead of the tail)");
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
            // written down before the first word is marked: a successor finishes what this one may leave
            buffer.putLongVolatile(regionOffset + CLEANER_TARGET_OFFSET, slowest);
            return markAndRelease(from, slowest);
        }
        finally
        {
            buffer.putLongRelease(regionOffset + CLEANER_TOKEN_OFFSET, 0);
        }
    }

    /**
     * The walk found the released position's word marked for the next lap already: the lease holder is marking
     * from there. If it died doing so, the record headers it marked over are gone and no walk can pass them, so
     * this takes the lease over and marks up to the target the dead holder wrote down (which its own walk found
     * releasable) before it moves the released position there.
     *
     * @return the released position.
     */
    private long finishDeadCleanersMarking(final long released)
    {
        final long holder = buffer.getLongVolatile(regionOffset + CLEANER_TOKEN_OFFSET);
        if (holder == 0 || holder == ownToken || !leaseHolderDead(holder) ||
            !buffer.compareAndSetLong(regionOffset + CLEANER_TOKEN_OFFSET, holder, ownToken))
        {
            return buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        }
        try
        {
            final long from = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
            final long target = buffer.getLongVolatile(regionOffset + CLEANER_TARGET_OFFSET);
            if (target <= from)
            {
                return from; // it had finished: only the lease was left
            }
            if ((target & (ALIGNMENT - 1)) != 0 || target > buffer.getLongVolatile(TAIL_POSITION_OFFSET))
            {
                throw segment.corrupt("cleaner target", target + " (released position " + from +
                    ": 64-aligned and not past the tail)");
            }
            return markAndRelease(from, target);
        }
        finally
        {
            buffer.putLongRelease(regionOffset + CLEANER_TOKEN_OFFSET, 0);
        }
    }

    /**
     * Under the lease: marks the space from the released position up to {@code to} free for its next lap, then
     * moves the released position there. Both ends are checked first, since a length that is not a whole number of
     * words, or more than a ring, would mark outside the space being released.
     *
     * @return the new released position.
     */
    private long markAndRelease(final long from, final long to)
    {
        if (((from | to) & (ALIGNMENT - 1)) != 0 || from < 0 || to - from > capacity)
        {
            throw segment.corrupt("released position", from + " (releasable up to " + to + ", capacity " +
                capacity + ": 64-aligned and within one ring behind every subscriber)");
        }
        freeSpace.release(from, (int)(to - from));
        VarHandle.storeStoreFence(); // every free word before the released position that names it
        buffer.putLongRelease(HEAD_POSITION_OFFSET, to);
        return to;
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
