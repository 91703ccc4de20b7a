package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.ring.RecordDescriptor.header;
import static io.shmlink.shm.ring.RecordDescriptor.recordLength;
import static io.shmlink.shm.ring.RecordDescriptor.type;
import static io.shmlink.shm.segment.SegmentDescriptor.CONSUMED_UP_TO_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * The writer of a multi-producer queue ring (MPSC), the counterpart of Agrona's {@code ManyToOneRingBuffer}. One
 * instance may be used by many threads at once, and many instances in many processes share the ring.
 * <p>
 * A claim is one CAS: the header word at the end of the records, from the free word of the claim's lap
 * ({@link FreeWord}) to the claimed header. The tail is only a hint of where that end is, stored (release) after
 * each claim; a publisher starts there and steps over the records it finds until it reaches free space. So there
 * is no moment at which space is taken but names nobody, and a publisher that stood still for any time before its
 * CAS finds a record or a later lap's free word there, writes nothing, and looks again (see {@code docs/DESIGN.md},
 * "Claim").
 */
public final class MpscRingWriter extends RingWriter
{
    private final int capacityShift;

    /** The longest record a claim makes: a message of the channel's maximum length and its header, aligned. */
    private final int maxFrameLength;

    /**
     * Attaches to the ring.
     *
     * @param segment the mapped MPSC channel.
     * @param session this publisher's session, written into every record's type field.
     */
    public MpscRingWriter(final ChannelSegment segment, final int session)
    {
        super(segment, session);
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
        this.maxFrameLength = recordLength(maxMessageLength);
    }

    @Override
    long claimRecord(final int frameLength)
    {
        final int alignedLength = align(frameLength, ALIGNMENT);
        long start = checkedTail(UnsafeApi.getLongVolatile(null, tailAddress));
        long position = start;
        boolean stepped = false;
        while (true)
        {
            final int index = (int)position & mask;
            final int toEnd = capacity - index;
            final int padding = alignedLength > toEnd ? toEnd : 0;
            if (!fits(position, padding + alignedLength))
            {
                if (cachedHead() <= position)
                {
                    return backPressured();
                }
                position = start = restart(start, position, 0); // fits read a head past this walk: it is stale
                stepped = false;
                continue;
            }
            final long address = ringAddress + index;
            final long free = FreeWord.of(position, capacityShift);
            final long word = UnsafeApi.getLongVolatile(null, address);
            if (word == free)
            {
                if (stepped && released() > start)
                {
                    // what the steps read may be a later lap's, where a record's unwritten bytes still hold this
                    // lap's free word: nothing proves this is the end of the records
                    position = start = restart(start, position, 0);
                    stepped = false;
                    continue;
                }
                if (cachedHead() > position)
                {
                    checkHeadNotPast(position, address, free);
                }
                if (padding != 0)
                {
                    if (UnsafeApi.compareAndSetLong(null, address, free, header(padding, PADDING_TYPE)))
                    {
                        position += padding;
                    }
                }
                else if (UnsafeApi.compareAndSetLong(null, address, free, header(-frameLength, session)))
                {
                    // a hint: a racing publisher's older store may overwrite it, which costs a later walk a step
                    UnsafeApi.putLongRelease(null, tailAddress, position + alignedLength);
                    return position;
                }
                continue; // another publisher claimed here first: step over its record
            }
            final int length = (int)word;
            final int magnitude = length < 0 ? -length : length; // Integer.MIN_VALUE stays negative: refused below
            if (length == 0 || magnitude < HEADER_LENGTH || magnitude > toEnd ||
                (magnitude > maxFrameLength && (length < 0 || type(word) != PADDING_TYPE)) ||
                position - start > capacity)
            {
                position = start = restart(start, position, word);
                stepped = false;
                continue;
            }
            position += align(magnitude, ALIGNMENT);
            stepped = true;
        }
    }

    /**
     * How far the subscriber has released, or is releasing: its consumed-up-to position, stored before it marks
     * the space free and moves the head, or the head; each read with acquire and checked.
     */
    private long released()
    {
        final long consumedUpTo = UnsafeApi.getLongAcquire(null, baseAddress + CONSUMED_UP_TO_OFFSET);
        final long head = UnsafeApi.getLongAcquire(null, baseAddress + HEAD_POSITION_OFFSET);
        if ((head & (ALIGNMENT - 1)) != 0 || head < 0)
        {
            throw segment.corrupt("head position", head + " (must be 64-aligned and not negative)");
        }
        // read first, so at most a ring ahead of the head read after it
        if ((consumedUpTo & (ALIGNMENT - 1)) != 0 || consumedUpTo < 0 || consumedUpTo - head > capacity)
        {
            throw segment.corrupt("consumed-up-to position", consumedUpTo + " (head " + head +
                ": must be 64-aligned and at most a ring ahead of the head)");
        }
        return Math.max(head, consumedUpTo);
    }

    /**
     * Where a walk that found no end starts again: from the tail, or from the released position if the tail is
     * behind it. Both are record boundaries, and the released position is at most a ring behind the end of the
     * records.
     * <p>
     * A walk is stale once the subscriber has released space from its start on: its start was read before the
     * subscriber passed it, and what it reads (a later lap's free word, record or payload) says nothing of this
     * lap. The subscriber stores its consumed-up-to position before it marks any space free, so while that is not
     * past the start, every word the walk read was this lap's: then anything that is not a record, or a ring of
     * records without an end, is corruption.
     *
     * @param start    where this walk started.
     * @param position where it stands.
     * @param word     the word it read there, or 0 if none.
     */
    private long restart(final long start, final long position, final long word)
    {
        final long released = released();
        if (released <= start)
        {
            if (position - start > capacity)
            {
                throw segment.corrupt("record headers", "no end of the records within a ring of position " + start);
            }
            throw segment.corrupt("record header", "0x" + Long.toHexString(word) + " at position " + position +
                " (a record of " + HEADER_LENGTH + " to " + maxFrameLength + " bytes, padding up to the end of the" +
                " ring, or the free word of this lap, expected)");
        }
        return Math.max(checkedTail(UnsafeApi.getLongVolatile(null, tailAddress)), released);
    }

    /**
     * The head never passes the end of the records, which this free word is: a head read past it, with the word
     * still free after, is corrupt (it would let claims overwrite unread records).
     */
    private void checkHeadNotPast(final long position, final long address, final long free)
    {
        final long head = UnsafeApi.getLongAcquire(null, baseAddress + HEAD_POSITION_OFFSET);
        if (head > position && UnsafeApi.getLongVolatile(null, address) == free)
        {
            throw segment.corrupt("head position", head + " (past the end of the records at " + position + ")");
        }
    }
}
