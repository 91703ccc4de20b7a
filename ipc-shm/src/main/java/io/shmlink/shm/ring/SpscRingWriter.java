package io.shmlink.shm.ring;

import io.shmlink.api.Publisher;
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
 * costing a coherence miss per message); this publisher sees that the header after its record is zero before
 * committing, as {@code OneToOneRingBuffer} does, so it needs {@code HEADER_LENGTH} bytes of room beyond the record.
 * It zeroes ahead after each commit ({@link #zeroAhead()}; a claim's, only while its publisher is open), so that the
 * store into a line it does not own yet never waits in front of a commit (see {@code docs/DESIGN.md}, "Claim,
 * write, commit, abort"). Every header of a claim is written, as claimed, <i>before</i> the tail store: a publisher
 * that dies after the tail store leaves the extent of its claim for the subscriber to skip, and one that dies
 * before it leaves nothing its successor will not overwrite. A copying send writes the message before it claims
 * ({@code copyRecord}).
 */
public sealed class SpscRingWriter extends RingWriter permits SpmcRingWriter
{
    /** Bytes of a message in its record's first line, after the header. */
    private static final int FIRST_LINE_PAYLOAD = ALIGNMENT - HEADER_LENGTH;

    /** The tail this sole publisher owns; the segment's copy is written from it with a release store. */
    private long tail;

    /** The aligned length of the last record this publisher claimed. */
    private int lastAlignedLength;

    /**
     * A position past the tail whose header word this publisher zeroed, in space the subscriber had released, and
     * has not written since: where the next record ends if it is as long as the last. Nothing else writes at or
     * past the tail, and this publisher's records only pass it, so a record that ends there finds it zero. Plain:
     * only this publisher's thread reads or writes it. -1 (none) for a publisher that just attached.
     */
    private long zeroedAhead = -1;

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
        final int padding = paddingBefore(claimed, alignedLength);
        if (!fits(claimed, padding + alignedLength + HEADER_LENGTH))
        {
            return backPressured();
        }
        publishClaim(claimed, padding, alignedLength, frameLength);
        return claimed + padding;
    }

    /**
     * @return the padding a record of {@code alignedLength} bytes claimed at {@code claimed} needs first: to the
     * ring's end if it does not fit before it, else none.
     */
    private int paddingBefore(final long claimed, final int alignedLength)
    {
        final int toEnd = capacity - ((int)claimed & mask);
        return alignedLength > toEnd ? toEnd : 0;
    }

    /**
     * Claims a placed record: zeroes the header after it unless zeroed ahead, writes the claimed headers (padding
     * and record) and then the tail, each with a release store, and commits any padding.
     */
    private void publishClaim(final long claimed, final int padding, final int alignedLength, final int frameLength)
    {
        final int index = (int)claimed & mask;
        final int recordIndex = padding != 0 ? 0 : index;
        final long ring = ringAddress;
        final long next = claimed + padding + alignedLength;
        if (next != zeroedAhead)
        {
            UnsafeApi.putLong(null, ring + ((recordIndex + alignedLength) & mask), 0L);
        }
        lastAlignedLength = alignedLength;
        if (padding != 0)
        {
            UnsafeApi.putLongRelease(null, ring + index, header(-padding, session));
        }
        UnsafeApi.putLongRelease(null, ring + recordIndex, header(-frameLength, session));
        tail = next;
        UnsafeApi.putLongRelease(null, tailAddress, next);
        if (padding != 0)
        {
            UnsafeApi.putLongRelease(null, ring + index, header(padding, PADDING_TYPE));
        }
    }

    /**
     * The copying send, from a {@code DirectBuffer} or a {@code ByteBuffer}: the message first, the part of it in the record's first line
     * last, and only then the claim (header, tail) and the commit, so that the subscriber, polling the record's
     * first line, does not pull it away between a claim and a commit that a whole copy separates. Until the claimed
     * header nothing past the tail is visible: a publisher that dies while copying leaves bytes there that its
     * successor overwrites and no subscriber reads. The claim and the commit are then those of {@link #claimRecord},
     * in its order, unless the segment's tail is no longer this writer's: a close raced this send (which the SPSC
     * contract forbids) and another publisher attached, so nothing is claimed and the send reports CLOSED.
     */
    @Override
    final long copyRecord(final Object srcBase, final long srcAddress, final int length)
    {
        final int frameLength = length + HEADER_LENGTH;
        final int alignedLength = align(frameLength, ALIGNMENT);
        final long claimed = tail;
        final int padding = paddingBefore(claimed, alignedLength);
        if (!fits(claimed, padding + alignedLength + HEADER_LENGTH))
        {
            return backPressured();
        }
        claimed();
        final long record = ringAddress + (padding != 0 ? 0 : (int)claimed & mask);
        if (length > FIRST_LINE_PAYLOAD)
        {
            UnsafeApi.copyMemory(srcBase, srcAddress + FIRST_LINE_PAYLOAD, null, record + ALIGNMENT,
                length - FIRST_LINE_PAYLOAD);
            UnsafeApi.copyMemory(srcBase, srcAddress, null, record + HEADER_LENGTH, FIRST_LINE_PAYLOAD);
        }
        else
        {
            UnsafeApi.copyMemory(srcBase, srcAddress, null, record + HEADER_LENGTH, length);
        }
        if (UnsafeApi.getLongAcquire(null, tailAddress) != claimed)
        {
            // another publisher's tail: a close raced this send, which the SPSC contract forbids; claim nothing
            return Publisher.CLOSED;
        }
        publishClaim(claimed, padding, alignedLength, frameLength);
        commitCopied(recordOffset(claimed + padding), length, length);
        zeroAhead();
        return claimed + padding + alignedLength;
    }

    /**
     * Zeroes the header word where the next record ends if it is as long as the last, if that lies in space the
     * cached head released. Runs after a commit, so that the store into a line not yet owned never waits ahead of
     * the commit in the store order; the next claim of a record of the same length then finds the
     * header after it already zero. Not when the segment's tail is no longer this writer's: a close that raced
     * this send (which the SPSC contract forbids) let another publisher in.
     */
    @Override
    public final void zeroAhead()
    {
        final long position = tail + lastAlignedLength;
        if (position + HEADER_LENGTH - cachedHead() <= capacity && UnsafeApi.getLongAcquire(null, tailAddress) == tail)
        {
            UnsafeApi.putLong(null, ringAddress + ((int)position & mask), 0L);
            zeroedAhead = position;
        }
    }
}
