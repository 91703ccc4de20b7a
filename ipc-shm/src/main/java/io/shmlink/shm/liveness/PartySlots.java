package io.shmlink.shm.liveness;

import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmlink.shm.segment.SegmentDescriptor.MAX_PUBLISHERS;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_GENERATION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_HEARTBEAT_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_LAST_HOLDER_GENERATION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_LAST_HOLDER_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_HEARTBEAT_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_ROLE_CHANNEL;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_ROLE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.publisherSlotOffset;

/**
 * Who is attached to a channel: the subscriber slot and the publisher slots of a segment. A party takes a slot by
 * a CAS of its {@link ProcessToken} over a token that is {@link ProcessToken#NONE}, {@link ProcessToken#DETACHED}
 * or names a dead process, so two processes can never both believe they hold the same slot.
 */
public final class PartySlots
{
    private static final int SLOT_BITS = 7;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    private static final int GENERATION_MASK = 0xFF_FFFF;

    /** What {@link #take} returns when the slot is held: no token is this value. */
    private static final long NOT_TAKEN = Long.MIN_VALUE;

    private PartySlots()
    {
    }

    /**
     * The session a publisher writes into its records' type field: {@code slot + 1} in the low 7 bits and the
     * slot's attach generation (24 bits) above, so that it is positive, never 0 (an unwritten header) nor
     * {@code PADDING_TYPE}, and names one attach even after a successor retakes the slot.
     *
     * @param slot       the publisher slot.
     * @param generation the slot's generation after this attach.
     * @return the session.
     */
    public static int session(final int slot, final int generation)
    {
        return ((generation & GENERATION_MASK) << SLOT_BITS) | (slot + 1);
    }

    /**
     * The slot a session was attached to.
     *
     * @param session from a record's type field.
     * @return the slot, or -1 if the session cannot be one.
     */
    public static int slotOf(final long session)
    {
        final int slot = (int)(session & SLOT_MASK) - 1;
        return session <= 0 || session > Integer.MAX_VALUE || slot >= MAX_PUBLISHERS ? -1 : slot;
    }

    /**
     * Whether the publisher attach that a session names is over: its slot was retaken or released since, or the
     * process that holds it is dead. Reads only the segment and the caller's verdicts, never {@code /proc}, so
     * the subscriber's poll can ask it without allocating.
     *
     * @param segment     the channel.
     * @param session     from a record's type field.
     * @param deadToken   the token the last liveness check found dead in the session's slot, or 0.
     * @return true if that publisher can no longer commit; false if it may, or if the session is not valid.
     */
    public static boolean isSessionOver(
        final ChannelSegment segment, final long session, final long deadToken)
    {
        final int slot = slotOf(session);
        if (slot < 0)
        {
            return false;
        }
        final long holder = holderOf(segment, slot, session);
        return holder == ProcessToken.NONE || holder == deadToken;
    }

    /**
     * The process of the publisher attach that a session names, while its slot still holds that attach: to say
     * whose claim was lost. A publisher that attached to the slot since is not blamed, as its attach counted the
     * generation up; only one that died, or is read, between its token CAS and the generation count that follows
     * it could be.
     *
     * @param segment the channel.
     * @param session from a record's type field.
     * @return the pid; 0 if the session is not valid, or its slot was released or retaken since.
     */
    public static long pidOf(final ChannelSegment segment, final long session)
    {
        final int slot = slotOf(session);
        if (slot < 0)
        {
            return 0;
        }
        final long holder = holderOf(segment, slot, session);
        return holder == ProcessToken.NONE ? 0 : ProcessToken.pid(holder);
    }

    /**
     * The token of the process that holds a session's attach, if its slot still holds that attach.
     *
     * @return the token; {@link ProcessToken#NONE} if the slot was released, or retaken (its generation counted
     * up) since.
     */
    private static long holderOf(final ChannelSegment segment, final int slot, final long session)
    {
        final int offset = publisherSlotOffset(slot);
        final int generation = segment.buffer().getIntVolatile(offset + SLOT_GENERATION_OFFSET) & GENERATION_MASK;
        final long token = segment.buffer().getLongVolatile(offset + SLOT_TOKEN_OFFSET);
        return generation == (int)(session >>> SLOT_BITS) && ProcessToken.isAttached(token) ? token : ProcessToken.NONE;
    }

    /**
     * The process of the publisher attach that a session names, for as long as anybody can tell: the slot's holder
     * while the slot still counts that attach's generation, else the last holder written down for that very
     * generation (by the attach itself as it detached, or by whoever took the slot from it dead). A new holder
     * caught between its token CAS and its generation count is named instead, which errs on the side of a live
     * process. Unknown once the slot's next holder has left in turn.
     *
     * @param segment the channel.
     * @param session from a record header.
     * @return the token; {@link ProcessToken#NONE} if the session is not valid or too old to tell.
     */
    public static long claimerToken(final ChannelSegment segment, final long session)
    {
        final int slot = slotOf(session);
        if (slot < 0)
        {
            return ProcessToken.NONE;
        }
        final UnsafeBuffer buffer = segment.buffer();
        final int offset = publisherSlotOffset(slot);
        final int sessionGeneration = (int)(session >>> SLOT_BITS) & GENERATION_MASK;
        // the written-down holder first: it is only ever written for that generation's true holder, while the
        // slot's token may be a successor's, caught between its token CAS and its generation count
        final long lastHolder = lastHolder(buffer, offset, sessionGeneration);
        if (lastHolder != ProcessToken.NONE)
        {
            return lastHolder;
        }
        if ((buffer.getIntVolatile(offset + SLOT_GENERATION_OFFSET) & GENERATION_MASK) == sessionGeneration)
        {
            final long token = buffer.getLongVolatile(offset + SLOT_TOKEN_OFFSET);
            if (ProcessToken.isAttached(token))
            {
                return token;
            }
        }
        return ProcessToken.NONE;
    }

    /** The last holder written down for a slot if it held the slot in {@code generation}, else NONE. */
    private static long lastHolder(final UnsafeBuffer buffer, final int offset, final int generation)
    {
        final int before = buffer.getIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET);
        final long token = buffer.getLongVolatile(offset + SLOT_LAST_HOLDER_OFFSET);
        final int after = buffer.getIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET);
        return before == after && before == generation ? token : ProcessToken.NONE;
    }

    /** Writes down a slot's holder of one generation: -1 first, so a reader never pairs a token with another's. */
    private static void writeLastHolder(
        final UnsafeBuffer buffer, final int offset, final long token, final int generation)
    {
        buffer.putIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET, -1);
        buffer.putLongVolatile(offset + SLOT_LAST_HOLDER_OFFSET, token);
        buffer.putIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET, generation & GENERATION_MASK);
    }

    /**
     * The session of the slot's written-down last holder if that process is known dead: its claims can be let go
     * of now (see {@code DeadClaims}), before the slot's next holders write over its name.
     *
     * @param segment the channel.
     * @param session a session of the slot, such as the one {@link #attachPublisher} just returned.
     * @return the dead last holder's session, or 0.
     */
    public static int deadLastHolderSession(final ChannelSegment segment, final int session)
    {
        final int slot = slotOf(session);
        if (slot < 0)
        {
            return 0;
        }
        final UnsafeBuffer buffer = segment.buffer();
        final int offset = publisherSlotOffset(slot);
        final int generation = buffer.getIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET);
        final long token = lastHolder(buffer, offset, generation);
        return generation >= 0 && ProcessToken.isAttached(token) && !ProcessToken.isAlive(token) ?
            session(slot, generation) : 0;
    }

    /**
     * Takes the subscriber slot.
     *
     * @param segment the channel.
     * @throws ShmLinkException if a live subscriber holds it.
     */
    public static void attachSubscriber(final ChannelSegment segment)
    {
        if (take(segment, SUBSCRIBER_TOKEN_OFFSET, true) == NOT_TAKEN)
        {
            final long holder = segment.buffer().getLongVolatile(SUBSCRIBER_TOKEN_OFFSET);
            throw new ShmLinkException("channel '" + segment.name() + "' (" + segment.file() +
                ") already has a live subscriber: pid " + ProcessToken.pid(holder) +
                "; a channel has one subscriber at a time");
        }
        heartbeat(segment.buffer(), SUBSCRIBER_HEARTBEAT_OFFSET);
        // a plain subscriber, until a server socket that this is says otherwise
        segment.buffer().putIntRelease(SUBSCRIBER_ROLE_OFFSET, SUBSCRIBER_ROLE_CHANNEL);
    }

    /**
     * Releases the subscriber slot; publishers then see the subscriber as gone.
     *
     * @param segment the channel.
     */
    public static void detachSubscriber(final ChannelSegment segment)
    {
        if (segment.isTruncated())
        {
            return; // the slot went with the file; touching it could crash the JVM (see ChannelSegment)
        }
        segment.buffer().compareAndSetLong(SUBSCRIBER_TOKEN_OFFSET, ProcessToken.SELF, ProcessToken.DETACHED);
    }

    /**
     * Takes a publisher slot: slot 0 only on a single-publisher channel (SPSC, SPMC); otherwise the first free one,
     * or the first one a dead publisher holds when none is free.
     *
     * @param segment        the channel.
     * @param multiPublisher whether the channel admits many publishers (MPSC, MPMC).
     * @return the session of this attach (see {@link #session}).
     * @throws ShmLinkException if no slot is free.
     */
    public static int attachPublisher(final ChannelSegment segment, final boolean multiPublisher)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int slots = multiPublisher ? MAX_PUBLISHERS : 1;
        // Free slots whose last holder is gone first, then any free slot, dead publishers' slots only when none is:
        // a slot names its present or last holder (in statistics, to blame it for a claim it left, and to hold
        // that claim while the holder lives) until somebody takes the slot over.
        for (int pass = 0; pass < 3; pass++)
        {
            final boolean evenFromTheDead = pass == 2;
            for (int slot = 0; slot < slots; slot++)
            {
                final int offset = publisherSlotOffset(slot);
                if (pass == 0 && ProcessToken.isAlive(buffer.getLongVolatile(offset + SLOT_LAST_HOLDER_OFFSET)))
                {
                    continue;
                }
                final long replaced = take(segment, offset + SLOT_TOKEN_OFFSET, evenFromTheDead);
                if (replaced != NOT_TAKEN)
                {
                    final int replacedGeneration =
                        buffer.getIntVolatile(offset + SLOT_GENERATION_OFFSET) & GENERATION_MASK;
                    // The dead holder stays known (see claimerToken). Not if the generation's holder wrote itself
                    // down as it detached: then the dead token is a successor that died before counting the
                    // generation up, and the true holder, maybe alive and writing, must stay named.
                    if (ProcessToken.isAttached(replaced) &&
                        buffer.getIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET) != replacedGeneration)
                    {
                        writeLastHolder(buffer, offset, replaced, replacedGeneration);
                    }
                    // right after the token, so that the token of a new holder pairs with the old generation
                    // (and passes for its predecessor's in pidOf) for as short a time as can be
                    final int generation =
                        buffer.getAndAddInt(publisherSlotOffset(slot) + SLOT_GENERATION_OFFSET, 1) + 1;
                    heartbeat(buffer, publisherSlotOffset(slot) + SLOT_HEARTBEAT_OFFSET);
                    return session(slot, generation);
                }
            }
        }
        if (!multiPublisher)
        {
            final long holder = buffer.getLongVolatile(publisherSlotOffset(0) + SLOT_TOKEN_OFFSET);
            throw new ShmLinkException("channel '" + segment.name() + "' (" + segment.file() + ") is " +
                segment.config().mode() + " and already has a live publisher: pid " + ProcessToken.pid(holder));
        }
        throw new ShmLinkException("channel '" + segment.name() + "' (" + segment.file() + ") has " +
            MAX_PUBLISHERS + " live publishers, the most it admits");
    }

    /**
     * Releases a publisher slot.
     *
     * @param segment the channel.
     * @param session the session {@link #attachPublisher} returned.
     */
    public static void detachPublisher(final ChannelSegment segment, final int session)
    {
        if (segment.isTruncated())
        {
            return; // the slot went with the file; touching it could crash the JVM (see ChannelSegment)
        }
        final int offset = publisherSlotOffset(slotOf(session));
        // written down first, so the process of this session stays known after the token is gone (see
        // claimerToken): another thread of this process may still be writing a claim
        writeLastHolder(segment.buffer(), offset, ProcessToken.SELF, (int)(session >>> SLOT_BITS));
        segment.buffer().compareAndSetLong(offset + SLOT_TOKEN_OFFSET, ProcessToken.SELF, ProcessToken.DETACHED);
    }

    /**
     * The token in a publisher slot.
     *
     * @param segment the channel.
     * @param slot    in {@code [0, MAX_PUBLISHERS)}.
     * @return the token.
     */
    public static long publisherToken(final ChannelSegment segment, final int slot)
    {
        return segment.buffer().getLongVolatile(publisherSlotOffset(slot) + SLOT_TOKEN_OFFSET);
    }

    /**
     * Whether any publisher slot names a live process.
     *
     * @param segment the channel.
     * @return true if a live publisher is attached.
     */
    public static boolean anyLivePublisher(final ChannelSegment segment)
    {
        for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
        {
            final long token = publisherToken(segment, slot);
            if (ProcessToken.isAttached(token) && ProcessToken.isAlive(token))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Refreshes a heartbeat: epoch milliseconds, comparable across processes.
     *
     * @param buffer the segment.
     * @param offset of the heartbeat field.
     */
    public static void heartbeat(final UnsafeBuffer buffer, final int offset)
    {
        buffer.putLongRelease(offset, System.currentTimeMillis());
    }

    /**
     * Marks the channel deleted: publishers return CLOSED and the subscriber's poll throws from now on, and
     * nobody attaches again. Final.
     *
     * @param segment the channel about to be unlinked.
     */
    public static void markDeleted(final ChannelSegment segment)
    {
        segment.buffer().putLongVolatile(SUBSCRIBER_TOKEN_OFFSET, ProcessToken.DELETED);
    }

    /**
     * Takes a slot whose token is free ({@link ProcessToken#NONE} or {@link ProcessToken#DETACHED}), or, if
     * {@code evenFromTheDead}, one that names a dead process.
     *
     * @return the token replaced, or {@link #NOT_TAKEN}.
     */
    private static long take(final ChannelSegment segment, final int tokenOffset, final boolean evenFromTheDead)
    {
        final UnsafeBuffer buffer = segment.buffer();
        while (true)
        {
            final long holder = buffer.getLongVolatile(tokenOffset);
            if (buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET) == ProcessToken.DELETED)
            {
                throw new ChannelNotFoundException("channel '" + segment.name() + "' (" + segment.file() +
                    ") was deleted");
            }
            if (ProcessToken.isAttached(holder) && (!evenFromTheDead || ProcessToken.isAlive(holder)))
            {
                return NOT_TAKEN;
            }
            if (buffer.compareAndSetLong(tokenOffset, holder, ProcessToken.SELF))
            {
                return holder;
            }
        }
    }
}
