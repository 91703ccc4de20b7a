package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE;
import static io.shmlink.shm.ring.RecordDescriptor.header;
import static org.agrona.BitUtil.align;

/**
 * The writer of a single-producer ring, the counterpart of Agrona's {@code OneToOneRingBuffer}: the sole publisher
 * keeps the tail in a field and publishes it with a release store. Use it from one thread at a time.
 * <p>
 * The subscriber does not zero what it consumes (that would write into lines this publisher is about to fill,
 * costing a coherence miss per message); this publisher zeroes the header after its record before committing, as
 * {@code OneToOneRingBuffer} does, so it needs {@code HEADER_LENGTH} bytes of room beyond the record. Every header
 * of a claim is written, as claimed, <i>before</i> the tail store: a publisher that dies after the tail store
 * leaves the extent of its claim for the subscriber to skip, and one that dies before it leaves nothing its
 * successor will not overwrite (see {@code docs/DESIGN.md}).
 */
public sealed class SpscRingWriter extends RingWriter permits SpmcRingWriter
{
    /** The tail this sole publisher owns; the segment's copy is written from it with a release store. */
    private long tail;

    /**
     * Attaches to the ring at its current tail.
     *
     * @param segment the mapped SPSC channel.
     * @param session this publisher's session, written into every record's type field.
     */
    public SpscRingWriter(final ChannelSegment segment, final int session)
    {
        super(segment, session);
        this.tail = attachTail;
    }

    @Override
    final long claimRecord(final int frameLength)
    {
        final int alignedLength = align(frameLength, ALIGNMENT);
        final long claimed = tail;
        final int index = (int)claimed & mask;
        final int toEnd = capacity - index;
        final int padding = alignedLength > toEnd ? toEnd : 0;
        if (!fits(claimed, padding + alignedLength + HEADER_LENGTH))
        {
            return backPressured();
        }
        final int recordIndex = padding != 0 ? 0 : index;
        final long ring = ringAddress;
        UnsafeApi.putLong(null, ring + ((recordIndex + alignedLength) & mask), 0L);
        if (padding != 0)
        {
            UnsafeApi.putLongRelease(null, ring + index, header(-padding, session));
        }
        UnsafeApi.putLongRelease(null, ring + recordIndex, header(-frameLength, session));
        tail = claimed + padding + alignedLength;
        UnsafeApi.putLongRelease(null, tailAddress, tail);
        if (padding != 0)
        {
            UnsafeApi.putLongRelease(null, ring + index, header(padding, PADDING_TYPE));
        }
        return claimed + padding;
    }
}
