package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.ring.RecordDescriptor.header;
import static org.agrona.BitUtil.align;

/**
 * The writer of a multi-producer fan-out ring (MPMC), gated on the slowest subscriber ({@link FanOutGate}) and
 * committing by CAS ({@link #commitUnlessSkipped}). One instance may be used by many threads at once.
 * <p>
 * Publishers race with a CAS on the tail, which stays exact: subscribers join at it and the gate walks up to it.
 * The header then goes in by a CAS from the free word of the claim's lap ({@link FreeWord}): a publisher that stood
 * still between its tail CAS and its header for longer than the claim timeout writes nothing where a subscriber has
 * taken the space as a gap, or where a later lap's record now stands; it claims again instead. A claim leaves the
 * word after it inside released space, which the cleaning publisher has marked free for the claim's lap, so that a
 * subscriber reading on from the record finds that free word and not what the previous lap left there (see
 * {@code docs/DESIGN.md}, "Fan-out").
 */
public final class MpmcRingWriter extends RingWriter
{
    private final FanOutGate gate;
    private final int capacityShift;

    /**
     * Attaches to the ring.
     *
     * @param segment the mapped MPMC channel.
     * @param session this publisher's session, written into every record's type field.
     * @param gate    the subscribers' gate.
     */
    public MpmcRingWriter(final ChannelSegment segment, final int session, final FanOutGate gate)
    {
        super(segment, session);
        this.gate = gate;
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
    }

    @Override
    long claimRecord(final int frameLength)
    {
        final int alignedLength = align(frameLength, ALIGNMENT);
        while (true)
        {
            long claimed;
            int padding;
            do
            {
                claimed = checkedTail(UnsafeApi.getLongVolatile(null, tailAddress));
                final int toEnd = capacity - ((int)claimed & mask);
                padding = alignedLength > toEnd ? toEnd : 0;
                if (!fits(claimed, padding + alignedLength + HEADER_LENGTH))
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

    @Override
    void commitCopied(final int recordOffset, final int claimedLength, final int length)
    {
        commitUnlessSkipped(recordOffset, claimedLength, length);
    }

    @Override
    long releasedPosition()
    {
        return gate.refresh();
    }
}
