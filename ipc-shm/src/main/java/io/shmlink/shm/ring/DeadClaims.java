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
 * it read first, and changes nothing the subscriber has passed since it began. Cold path: bounds are checked on
 * every access.
 */
public final class DeadClaims
{
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
        final long end = tailIsHint ? head + capacity : tail;
        int released = 0;
        long position = head;
        while (position < end)
        {
            final int index = (int)position & (capacity - 1);
            final long word = buffer.getLongVolatile(RING_OFFSET + index);
            final int length = frameLength(word);
            final int magnitude = length < 0 ? -length : length;
            if (length == 0 || magnitude < HEADER_LENGTH || magnitude > capacity - index)
            {
                break;
            }
            final int aligned = align(magnitude, ALIGNMENT);
            final boolean claimed = length < 0 && type(word) == session;
            if ((claimed || (length > 0 && type(word) == skippedType(session))) && !isReleased(buffer, position) &&
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
     * Whether the subscriber has passed a position since the walk began, so that the word read there may be a later
     * lap's (a payload word that looks like the dead session's claim): the walk, stale, stops. Consumed-up-to is
     * stored before any space is marked free (MPSC; 0 in other modes).
     */
    private static boolean isReleased(final UnsafeBuffer buffer, final long position)
    {
        return buffer.getLongVolatile(CONSUMED_UP_TO_OFFSET) > position ||
            buffer.getLongVolatile(HEAD_POSITION_OFFSET) > position;
    }
}
