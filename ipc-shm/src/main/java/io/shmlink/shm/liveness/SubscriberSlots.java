package io.shmlink.shm.liveness;

import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmlink.shm.segment.FanOutDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_AWAKE;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SIGNALLED;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;

/**
 * The subscriber slots of a fan-out channel ({@link FanOutDescriptor}). A slot's attachment word says who owns it;
 * every change of it is one CAS of the whole word, and every take counts its generation up, so a late CAS of a
 * party that lost the slot meanwhile (a close after an eviction, a cleanup that stood still) fails:
 * <pre>
 *   FREE(g) --take--> ATTACHING(g+1) --attach done--> ATTACHED(g+1) --close, holder dead--> FREE(g+1)
 *                          |                              |
 *                          | holder dead                  | held publishers back too long (any publisher)
 *                          v                              v
 *                       FREE(g+1)                      EVICTED(g+1) --its next poll, holder dead--> FREE(g+1)
 * </pre>
 * An evicted slot stays the evicted subscriber's until it has heard of the eviction (or died): until then it may
 * still store its head there, which must not land in a successor's slot.
 * <p>
 * <b>Joining live.</b> The attach stores its head at the tail it read, then reads the tail again and starts there.
 * A publisher that refreshed its gate before the head was stored may still claim up to a ring past what it saw
 * then, which is at most a ring past the second tail, so from there on nothing is overwritten before this
 * subscriber has read it.
 */
public final class SubscriberSlots
{
    private SubscriberSlots()
    {
    }

    /**
     * What an attach got: its slot, the attachment word it holds, and where it starts reading.
     *
     * @param slot       the slot index.
     * @param attachment the slot's attachment word while this subscriber holds it.
     * @param start      the position it reads from.
     */
    public record Attachment(int slot, long attachment, long start)
    {
    }

    /**
     * Takes a free slot (or one whose holder is dead) and joins the channel live.
     *
     * @param segment the fan-out channel.
     * @return the attachment.
     * @throws ShmLinkException         if {@code maxSubscribers} live subscribers are attached.
     * @throws ChannelNotFoundException if the channel was deleted.
     */
    public static Attachment attach(final ChannelSegment segment)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int subscribers = segment.config().maxSubscribers();
        for (int pass = 0; pass < 2; pass++)
        {
            for (int slot = 0; slot < subscribers; slot++)
            {
                checkNotDeleted(segment);
                final int offset = slotOffset(segment.config().capacity(), slot);
                final long attachment = buffer.getLongVolatile(offset + SLOT_ATTACHMENT_OFFSET);
                final int state = state(attachment);
                // free slots first; those of dead holders only when none is free (the liveness thread frees
                // them anyway within a second)
                final boolean takeable = state == STATE_FREE ||
                    (pass == 1 && !ProcessToken.isAlive(buffer.getLongVolatile(offset + SLOT_TOKEN_OFFSET)));
                if (!takeable)
                {
                    continue;
                }
                final int generation = generation(attachment) + 1;
                final long attaching = FanOutDescriptor.attachment(generation, STATE_ATTACHING);
                if (!buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET, attachment, attaching))
                {
                    continue;
                }
                buffer.putLongVolatile(offset + SLOT_TOKEN_OFFSET, ProcessToken.SELF);
                PartySlots.heartbeat(buffer, offset + SLOT_HEARTBEAT_OFFSET);
                buffer.putIntVolatile(offset + SLOT_DOORBELL_OFFSET, 0);
                wake(buffer, segment, offset);
                final long firstTail = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
                buffer.putLongVolatile(offset + SLOT_HEAD_OFFSET, firstTail);
                final long start = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
                buffer.putLongVolatile(offset + SLOT_HEAD_OFFSET, start);
                buffer.putLongVolatile(offset + SLOT_READ_POSITION_OFFSET, start);
                final long attached = FanOutDescriptor.attachment(generation, STATE_ATTACHED);
                if (buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET, attaching, attached))
                {
                    membershipChanged(buffer);
                    return new Attachment(slot, attached, start);
                }
                // this process stood still long enough to be taken for dead: try again
                slot--;
            }
        }
        throw new ShmLinkException("channel '" + segment.name() + "' (" + segment.file() + ") has " + subscribers +
            " live subscribers, the most it admits (maxSubscribers " + subscribers + ")");
    }

    /**
     * Counts a change of who is attached in the header's subscriber token word, which on a fan-out channel holds
     * this count (never negative) instead of a token: a publisher's send checks only that the word is what it was
     * when it last found a subscriber attached, so a change sends it to look at the slots again. A deleted
     * channel's mark ({@link ProcessToken#DELETED}, negative) is final and never counted over.
     */
    private static void membershipChanged(final UnsafeBuffer buffer)
    {
        while (true)
        {
            final long count = buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET);
            if (count < 0 || buffer.compareAndSetLong(SUBSCRIBER_TOKEN_OFFSET, count, count + 1 & Long.MAX_VALUE))
            {
                return;
            }
        }
    }

    private static void checkNotDeleted(final ChannelSegment segment)
    {
        if (segment.buffer().getLongVolatile(SUBSCRIBER_TOKEN_OFFSET) == ProcessToken.DELETED)
        {
            throw new ChannelNotFoundException("channel '" + segment.name() + "' (" + segment.file() +
                ") was deleted");
        }
    }

    /**
     * Gives a slot back as its subscriber closes; does nothing if it was evicted and not yet told, or freed.
     *
     * @param segment    the channel.
     * @param slot       the slot.
     * @param attachment the word the subscriber holds it with.
     */
    public static void detach(final ChannelSegment segment, final int slot, final long attachment)
    {
        if (segment.isTruncated())
        {
            return; // the slot went with the file; touching it could crash the JVM (see ChannelSegment)
        }
        final UnsafeBuffer buffer = segment.buffer();
        final int offset = slotOffset(segment.config().capacity(), slot);
        final long free = FanOutDescriptor.attachment(generation(attachment), STATE_FREE);
        if (buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET, attachment, free))
        {
            membershipChanged(buffer);
            wake(buffer, segment, offset);
        }
        else if (buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET,
            FanOutDescriptor.attachment(generation(attachment), STATE_EVICTED), free))
        {
            wake(buffer, segment, offset);
        }
    }

    /**
     * Evicts a subscriber that held publishers back too long: publishers no longer wait for it, and its next poll
     * throws. Counted in the slot, with how far behind it was.
     *
     * @param segment    the channel.
     * @param slot       the slot.
     * @param attachment the word its subscriber holds it with, as read when it was found stuck.
     * @param lag        bytes between its head and the tail.
     * @return true if this call evicted it (false: it moved, left, or another party evicted it first).
     */
    public static boolean evict(final ChannelSegment segment, final int slot, final long attachment, final long lag)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int offset = slotOffset(segment.config().capacity(), slot);
        if (state(attachment) != STATE_ATTACHED || !buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET,
            attachment, FanOutDescriptor.attachment(generation(attachment), STATE_EVICTED)))
        {
            return false;
        }
        buffer.putLongVolatile(offset + SLOT_EVICTION_LAG_OFFSET, lag);
        buffer.getAndAddLong(offset + SLOT_EVICTIONS_OFFSET, 1);
        membershipChanged(buffer);
        return true;
    }

    /**
     * Frees the slots whose holder is dead: an attached, evicted or attaching subscriber's. Cold path (reads
     * {@code /proc}); the liveness thread calls it every tick for each fan-out channel it serves.
     *
     * @param segment the channel.
     * @return how many slots it freed.
     */
    public static int freeDead(final ChannelSegment segment)
    {
        final UnsafeBuffer buffer = segment.buffer();
        int freed = 0;
        for (int slot = 0; slot < segment.config().maxSubscribers(); slot++)
        {
            final int offset = slotOffset(segment.config().capacity(), slot);
            final long attachment = buffer.getLongVolatile(offset + SLOT_ATTACHMENT_OFFSET);
            if (state(attachment) == STATE_FREE)
            {
                continue;
            }
            final long token = buffer.getLongVolatile(offset + SLOT_TOKEN_OFFSET);
            if (!ProcessToken.isAlive(token) && buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET,
                attachment, FanOutDescriptor.attachment(generation(attachment), STATE_FREE)))
            {
                if (state(attachment) == STATE_ATTACHED)
                {
                    membershipChanged(buffer);
                }
                wake(buffer, segment, offset);
                freed++;
            }
        }
        return freed;
    }

    /**
     * Announces that the subscriber of a slot is about to sleep on its doorbell: counted in the sleepers word
     * first, so that a publisher that sees the slot asleep has seen the count too.
     *
     * @param segment the channel.
     * @param slot    the sleeper's slot.
     */
    public static void sleeping(final ChannelSegment segment, final int slot)
    {
        final UnsafeBuffer buffer = segment.buffer();
        buffer.getAndAddLong(regionOffset(segment.config().capacity()) + SLEEPERS_OFFSET, 1);
        buffer.putIntVolatile(slotOffset(segment.config().capacity(), slot) + SLOT_WAIT_STATE_OFFSET,
            WAIT_STATE_SLEEPING);
    }

    /**
     * The subscriber of a slot is awake again: undoes {@link #sleeping}, once, whoever gets there first.
     *
     * @param segment the channel.
     * @param slot    the slot.
     */
    public static void awake(final ChannelSegment segment, final int slot)
    {
        wake(segment.buffer(), segment, slotOffset(segment.config().capacity(), slot));
    }

    /** Moves a slot's wait state to awake by CAS, and the one that does takes it off the sleepers count. */
    private static void wake(final UnsafeBuffer buffer, final ChannelSegment segment, final int offset)
    {
        while (true)
        {
            final int state = buffer.getIntVolatile(offset + SLOT_WAIT_STATE_OFFSET);
            if (state != WAIT_STATE_SLEEPING && state != WAIT_STATE_SIGNALLED)
            {
                return;
            }
            if (buffer.compareAndSetInt(offset + SLOT_WAIT_STATE_OFFSET, state, WAIT_STATE_AWAKE))
            {
                buffer.getAndAddLong(regionOffset(segment.config().capacity()) + SLEEPERS_OFFSET, -1);
                return;
            }
        }
    }

    /**
     * The attachment word of a slot.
     *
     * @param segment the channel.
     * @param slot    the slot.
     * @return the word.
     */
    public static long attachment(final ChannelSegment segment, final int slot)
    {
        return segment.buffer().getLongVolatile(
            slotOffset(segment.config().capacity(), slot) + SLOT_ATTACHMENT_OFFSET);
    }

    /**
     * Whether any slot holds an attached subscriber, alive as far as the segment says.
     *
     * @param segment the channel.
     * @return true if one is attached.
     */
    public static boolean anyAttached(final ChannelSegment segment)
    {
        for (int slot = 0; slot < segment.config().maxSubscribers(); slot++)
        {
            if (state(attachment(segment, slot)) == STATE_ATTACHED)
            {
                return true;
            }
        }
        return false;
    }
}
