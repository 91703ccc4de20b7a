package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.ring.RecordDescriptor.header;
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
    }

    @Override
    long claimRecord(final int frameLength)
    {
        final int alignedLength = align(frameLength, ALIGNMENT);
        long start = checkedTail(UnsafeApi.getLongVolatile(null, tailAddress));
        long position = start;
        while (true)
        {
            final int index = (int)position & mask;
            final int toEnd = capacity - index;
            final int padding = alignedLength > toEnd ? toEnd : 0;
            if (!fits(position, padding + alignedLength))
            {
                if (headCache <= position)
                {
                    return backPressured();
                }
                position = start = restart(start, position, 0); // fits read a head past this walk: it is stale
                continue;
            }
            final long address = ringAddress + index;
            final long free = FreeWord.of(position, capacityShift);
            final long word = UnsafeApi.getLongVolatile(null, address);
            if (word == free)
            {
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
            if (length == 0 || magnitude < HEADER_LENGTH || magnitude > toEnd || position - start > capacity)
            {
                position = start = restart(start, position, word);
                continue;
            }
            position += align(magnitude, ALIGNMENT);
        }
    }

    private long checkedTail(final long tail)
    {
        if ((tail & (ALIGNMENT - 1)) != 0 || tail < 0)
        {
            throw segment.corrupt("tail position", tail + " (must be 8-aligned and not negative)");
        }
        return tail;
    }

    /**
     * Where a walk that found no end starts again: from the tail, or from the released position if the tail is
     * behind it. Both are record boundaries, and the released position is at most a ring behind the end of the
     * records.
     * <p>
     * A walk goes stale when it stands on released space: its start was a hint more than a lap old (the hint's
     * writer, or this thread, stood still since), and what it reads there (a later lap's free word, record or
     * payload) says nothing of this lap. Released is the subscriber's consumed-up-to position, which it stores
     * before it marks the space free and moves the head. Anything else that is not a record, or a ring of records
     * without an end from a start the subscriber has not passed, is corruption.
     *
     * @param start    where this walk started.
     * @param position where it stands.
     * @param word     the word it read there, or 0 if none.
     */
    private long restart(final long start, final long position, final long word)
    {
        final long released = Math.max(
            UnsafeApi.getLongAcquire(null, baseAddress + HEAD_POSITION_OFFSET),
            UnsafeApi.getLongAcquire(null, baseAddress + CONSUMED_UP_TO_OFFSET));
        if ((released & (ALIGNMENT - 1)) != 0 || released < 0)
        {
            throw segment.corrupt("head position", released + " (must be 8-aligned and not negative)");
        }
        if (released <= start && position - start > capacity)
        {
            throw segment.corrupt("record headers", "no end of the records within a ring of position " + start);
        }
        if (released <= position && position - start <= capacity)
        {
            throw segment.corrupt("record header", "0x" + Long.toHexString(word) + " at position " + position +
                " (a record of " + HEADER_LENGTH + " bytes up to the end of the ring, or the free word of this" +
                " lap, expected)");
        }
        return Math.max(checkedTail(UnsafeApi.getLongVolatile(null, tailAddress)), released);
    }
}
