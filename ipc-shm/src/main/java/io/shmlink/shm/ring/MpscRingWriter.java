package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.ring.RecordDescriptor.header;
import static org.agrona.BitUtil.align;

/**
 * The writer of a multi-producer ring, the counterpart of Agrona's {@code ManyToOneRingBuffer}. One instance may be
 * used by many threads at once, and many instances in many processes share the ring.
 * <p>
 * Publishers race with a CAS on the tail (not a fetch-add, which cannot be taken back when the ring turns out
 * full). The header goes in by a CAS from the free word of the claim's lap ({@link FreeWord}): a publisher that
 * stood still between its tail CAS and its header for longer than the claim timeout writes nothing where the
 * subscriber has taken the space as a gap, or where a later lap's record now stands; it claims again instead (see
 * {@code docs/DESIGN.md}).
 */
public sealed class MpscRingWriter extends RingWriter permits MpmcRingWriter
{
    private final int capacityShift;

    /**
     * MPMC: a claim must leave the word after it inside released space, which the cleaning publisher has marked
     * free for the claim's lap, so that a subscriber reading on from the record finds that free word and not what
     * the previous lap left there (SPSC and SPMC zero that word themselves). 0 for MPSC, whose subscriber marks
     * released space as it goes.
     */
    private final int ahead;

    /**
     * Attaches to the ring.
     *
     * @param segment the mapped MPSC channel.
     * @param session this publisher's session, written into every record's type field.
     */
    public MpscRingWriter(final ChannelSegment segment, final int session)
    {
        this(segment, session, 0);
    }

    /**
     * @param ahead the room a claim leaves after it: 0, or {@code HEADER_LENGTH} for MPMC.
     */
    MpscRingWriter(final ChannelSegment segment, final int session, final int ahead)
    {
        super(segment, session);
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
        this.ahead = ahead;
    }

    @Override
    final long claimRecord(final int frameLength)
    {
        final int alignedLength = align(frameLength, ALIGNMENT);
        while (true)
        {
            long claimed;
            int padding;
            do
            {
                claimed = UnsafeApi.getLongVolatile(null, tailAddress);
                if ((claimed & (ALIGNMENT - 1)) != 0 || claimed < 0)
                {
                    throw segment.corrupt("tail position", claimed + " (must be 8-aligned and not negative)");
                }
                final int toEnd = capacity - ((int)claimed & mask);
                padding = alignedLength > toEnd ? toEnd : 0;
                if (!fits(claimed, padding + alignedLength + ahead))
                {
                    return backPressured();
                }
            }
            while (!UnsafeApi.compareAndSetLong(null, tailAddress, claimed, claimed + padding + alignedLength));

            final long position = claimed + padding;
            if (padding != 0 && !takeFreeWord(claimed, header(padding, PADDING_TYPE)))
            {
                // the padding was taken as a gap: pad the record's part too, or it would stall the ring as a
                // second gap for another claim timeout
                takeFreeWord(position, header(alignedLength, PADDING_TYPE));
                continue;
            }
            if (takeFreeWord(position, header(-frameLength, session)))
            {
                return position;
            }
        }
    }

    private boolean takeFreeWord(final long position, final long header)
    {
        return UnsafeApi.compareAndSetLong(
            null, ringAddress + ((int)position & mask), FreeWord.of(position, capacityShift), header);
    }
}
