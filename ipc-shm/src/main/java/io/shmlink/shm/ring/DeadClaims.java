package io.shmlink.shm.ring;

import io.shmlink.api.ChannelMode;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.ring.RecordDescriptor.frameLength;
import static io.shmlink.shm.ring.RecordDescriptor.header;
import static io.shmlink.shm.ring.RecordDescriptor.skippedType;
import static io.shmlink.shm.ring.RecordDescriptor.type;
import static io.shmlink.shm.segment.SegmentDescriptor.CONSUMED_UP_TO_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * Lets go, on behalf of a publisher known dead, of the claims it left in the ring: each record between the head
 * and the tail that is still claimed by its session, or skipped and held for it, becomes padding by one CAS of its
 * header word. A publisher that takes over a dead one's slot calls this before it sends: the slot will not name the
 * dead process for long (see {@code PartySlots.claimerToken}), and a held claim whose claimer nobody can name any
 * more would be held for good. Claims still claimed are counted lost.
 * <p>
 * The walk stops at the first word that is not a record header (free space, or an MPMC gap: a claim behind a gap
 * is left to the subscriber), never passes a ring past the head or (but in MPSC, whose tail is only a hint) the tail
 * it read, and starts again from the head when the subscriber has passed its start. Cold path: bounds are checked on
 * every access.
 */
public final class DeadClaims
{
    /** How often a walk the subscriber overtook starts again from the head before leaving the rest to it. */
    private static final int MAX_RESTARTS = 8;

    private DeadClaims()
    {
    }

    /**
     * Lets go of a dead publisher's claims.
     *
     * @param segment the channel.
     * @param session the dead publisher's session.
     * @return how many records it turned into padding.
     */
    public static int letGo(final ChannelSegment segment, final int session)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int capacity = segment.config().capacity();
        final long head = buffer.getLongVolatile(HEAD_POSITION_OFFSET);
        final long tail = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
        // MPSC: the tail is only a hint, which a claimer that died before storing it leaves behind its own claim;
        // the records end at the first free word, at most a ring past the head
        final boolean tailIsHint = segment.config().mode() == ChannelMode.MPSC;
        if (((head | tail) & (ALIGNMENT - 1)) != 0 || head < 0 || (tail < head && !tailIsHint) ||
            tail - head > capacity)
        {
            return 0; // corrupt: the subscriber reports it
        }
        int released = 0;
        long start = head;
        long end = tailIsHint ? head + capacity : tail;
        long position = start;
        int restarts = 0;
        while (position < end)
        {
            final int index = (int)position & (capacity - 1);
            final long word = buffer.getLongVolatile(RING_OFFSET + index);
            final int length = frameLength(word);
            final int magnitude = length < 0 ? -length : length;
            final boolean stale = isPassed(buffer, start);
            if (stale || length == 0 || magnitude < HEADER_LENGTH || magnitude > capacity - index)
            {
                if (!stale || ++restarts > MAX_RESTARTS)
                {
                    break;
                }
                // the subscriber passed the walk's start: what it read may be a later lap's; walk again from the head
                start = buffer.getLongVolatile(HEAD_POSITION_OFFSET);
                end = tailIsHint ? start + capacity : Math.max(end, buffer.getLongVolatile(TAIL_POSITION_OFFSET));
                position = start;
                continue;
            }
            final int aligned = align(magnitude, ALIGNMENT);
            final boolean claimed = length < 0 && type(word) == session;
            if ((claimed || (length > 0 && type(word) == skippedType(session))) && !isPassed(buffer, start) &&
                buffer.compareAndSetLong(RING_OFFSET + index, word, header(aligned, PADDING_TYPE)))
            {
                released++;
                if (claimed)
                {
                    buffer.getAndAddLong(LOST_CLAIMS_OFFSET, 1);
                }
            }
            position += aligned;
        }
        return released;
    }

    /**
     * Whether the subscriber has passed the walk's start since it was read, so that a word the walk reads may be a
     * later lap's (a payload word shaped like the dead session's claim). Consumed-up-to is stored before any space
     * is marked free (MPSC; 0 in other modes, whose head is the released position).
     */
    private static boolean isPassed(final UnsafeBuffer buffer, final long start)
    {
        return buffer.getLongVolatile(CONSUMED_UP_TO_OFFSET) > start ||
            buffer.getLongVolatile(HEAD_POSITION_OFFSET) > start;
    }
}
