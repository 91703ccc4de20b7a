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
 * The subscriber slots of a fan-out channel ({@link FanOutDescriptor}). A slot belongs to the process whose token
 * its token word holds: taken by one CAS from a free value ({@link ProcessToken#NONE}, {@link
 * ProcessToken#DETACHED}) or from a dead process's token, and given back by a CAS from that token, so a process
 * owns its slot from one atomic step on and nobody but a party that saw it dead takes it away. Tokens name one
 * process for ever (pid and start time), and a process never takes a slot its own token holds: one subscriber per
 * slot, even within a JVM.
 * <p>
 * The attachment word says what the owner is doing, and counts its attaches (generation, high half):
 * <pre>
 *   (taken) --owner--> ATTACHING(g+1) --owner, CAS--> ATTACHED(g+1) --close--> FREE(g+1), owner gives token back
 *                            |                        |
 *                            +------------------------+ held publishers back too long (any publisher, by CAS)
 *                                                     v
 *                                              EVICTED(g+1) --its next poll, close or join--> FREE(g+1), token back
 *   holder dead (any party): attachment --CAS--> FREE, then the token --CAS--> DETACHED
 * </pre>
 * Publishers gate on ATTACHING and ATTACHED slots. An evicted subscriber keeps its slot until it has heard of the
 * eviction (or died): until then it may still store its head there, which must not land in a successor's slot.
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
        // free slots first; those of dead holders only when none is free (publishers free them within a second)
        for (int pass = 0; pass < 2; pass++)
        {
            for (int slot = 0; slot < subscribers; slot++)
            {
                checkNotDeleted(segment);
                final int offset = slotOffset(segment.config().capacity(), slot);
                final long holder = buffer.getLongVolatile(offset + SLOT_TOKEN_OFFSET);
                final boolean free = !ProcessToken.isAttached(holder);
                if ((free || (pass == 1 && !ProcessToken.isAlive(holder))) &&
                    buffer.compareAndSetLong(offset + SLOT_TOKEN_OFFSET, holder, ProcessToken.SELF))
                {
                    final Attachment joined = join(segment, slot, offset, !free);
                    if (joined != null)
                    {
                        return joined;
                    }
                    slot--; // evicted while joining (this process stood still): the slot was given back, again
                }
            }
        }
        throw new ShmLinkException("channel '" + segment.name() + "' (" + segment.file() + ") has " + subscribers +
            " live subscribers, the most it admits (maxSubscribers " + subscribers + ")");
    }

    /** The slot is this process's: join at the tail (see the class comment); null if evicted meanwhile. */
    private static Attachment join(
        final ChannelSegment segment, final int slot, final int offset, final boolean tookFromTheDead)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final long previous = buffer.getLongVolatile(offset + SLOT_ATTACHMENT_OFFSET);
        final int generation = generation(previous) + 1;
        // a store: only the owner writes the word but for an evictor's CAS from ATTACHED, which a dead
        // predecessor's word may lose to this store, and which any other word makes fail
        buffer.putLongVolatile(
            offset + SLOT_ATTACHMENT_OFFSET, FanOutDescriptor.attachment(generation, STATE_ATTACHING));
        if (tookFromTheDead && state(previous) == STATE_ATTACHED)
        {
            membershipChanged(buffer); // the dead subscriber left
        }
        PartySlots.heartbeat(buffer, offset + SLOT_HEARTBEAT_OFFSET);
        buffer.putIntVolatile(offset + SLOT_DOORBELL_OFFSET, 0);
        wake(buffer, segment, offset);
        final long firstTail = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
        buffer.putLongVolatile(offset + SLOT_HEAD_OFFSET, firstTail);
        final long start = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
        buffer.putLongVolatile(offset + SLOT_HEAD_OFFSET, start);
        buffer.putLongVolatile(offset + SLOT_READ_POSITION_OFFSET, start);
        final long attaching = FanOutDescriptor.attachment(generation, STATE_ATTACHING);
        final long attached = FanOutDescriptor.attachment(generation, STATE_ATTACHED);
        if (!buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET, attaching, attached))
        {
            // a join that stood still past the slow-subscriber timeout while publishers waited was evicted
            detach(segment, slot, attaching);
            return null;
        }
        membershipChanged(buffer);
        return new Attachment(slot, attached, start);
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
     * Gives a slot back, as its subscriber closes or hears of its eviction: the attachment word to FREE (publishers
     * stop gating on it), the wait state to awake, then the token back. Nothing of this subscriber may write the
     * slot after this.
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
        }
        else if (!buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET,
            FanOutDescriptor.attachment(generation(attachment), STATE_EVICTED), free))
        {
            return; // freed as dead meanwhile (a wrong verdict on this live process): not ours any more
        }
        wake(buffer, segment, offset);
        buffer.compareAndSetLong(offset + SLOT_TOKEN_OFFSET, ProcessToken.SELF, ProcessToken.DETACHED);
    }

    /**
     * Evicts a subscriber that held publishers back too long: publishers no longer wait for it, and its next poll
     * throws. Counted in the slot, with how far behind it was.
     *
     * @param segment    the channel.
     * @param slot       the slot.
     * @param attachment the word its subscriber holds it with, as read when it was found stuck.
     * @param lag        bytes between its progress and the tail.
     * @return true if this call evicted it (false: it moved, left, or another party evicted it first).
     */
    public static boolean evict(final ChannelSegment segment, final int slot, final long attachment, final long lag)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int offset = slotOffset(segment.config().capacity(), slot);
        final int state = state(attachment);
        if ((state != STATE_ATTACHED && state != STATE_ATTACHING) || !buffer.compareAndSetLong(
            offset + SLOT_ATTACHMENT_OFFSET, attachment,
            FanOutDescriptor.attachment(generation(attachment), STATE_EVICTED)))
        {
            return false;
        }
        buffer.putLongVolatile(offset + SLOT_EVICTION_LAG_OFFSET, lag);
        buffer.getAndAddLong(offset + SLOT_EVICTIONS_OFFSET, 1);
        if (state == STATE_ATTACHED)
        {
            membershipChanged(buffer);
        }
        return true;
    }

    /**
     * Frees the slots whose holder is dead. The attachment word is read before the token, and changed by a CAS
     * from what was read: a live process that took the slot over since has changed the word, so the CAS fails and
     * its slot stays. Cold path (reads {@code /proc}); publishers' liveness ticks call it.
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
            final long token = buffer.getLongVolatile(offset + SLOT_TOKEN_OFFSET);
            if (!ProcessToken.isAttached(token) || ProcessToken.isAlive(token))
            {
                continue;
            }
            if (state(attachment) != STATE_FREE)
            {
                if (!buffer.compareAndSetLong(offset + SLOT_ATTACHMENT_OFFSET,
                    attachment, FanOutDescriptor.attachment(generation(attachment), STATE_FREE)))
                {
                    continue;
                }
                if (state(attachment) == STATE_ATTACHED)
                {
                    membershipChanged(buffer);
                }
                wake(buffer, segment, offset);
            }
            if (buffer.compareAndSetLong(offset + SLOT_TOKEN_OFFSET, token, ProcessToken.DETACHED))
            {
                freed++;
            }
        }
        return freed;
    }

    /**
     * Announces that the subscriber of a slot is about to sleep on its doorbell: counted in the sleepers word
     * first, so that a publisher that sees the slot asleep has seen the count too. (Killed between the two, it
     * leaves the count one too high for good: publishers then look at the slots after every send, a cost only.)
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
     * Whether any slot holds an attached subscriber.
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
}
