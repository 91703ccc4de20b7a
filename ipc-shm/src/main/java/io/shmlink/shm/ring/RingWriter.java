package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.shmlink.shm.ring.RecordDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.BACK_PRESSURE_EVENTS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * The publishing side of a ring: claims space, writes records, commits them. The record states and the claim,
 * commit, abort and skip steps are drawn in {@code docs/DESIGN.md}; this comment gives the contract.
 * <ul>
 *   <li><b>Claim.</b> The tail is advanced <i>before</i> the record is written, so a position handed out is never
 *   handed out again, even if this process dies before it commits. SPSC: the sole publisher keeps the tail in a
 *   field and publishes it with a release store. MPSC: publishers race with a CAS on the tail (not a fetch-add,
 *   which cannot be taken back when the ring turns out full). Either way the subscriber's head is cached and
 *   re-read (acquire) only when the cache says full.</li>
 *   <li><b>Write.</b> Header word {@code (-frameLength, session)}, then the payload. SPSC: a release store.
 *   MPSC: a CAS from the free word of the claim's lap ({@link FreeWord}), so a publisher that stood still
 *   between its tail CAS and its header past the claim timeout writes nothing where the subscriber has taken
 *   the space as a gap, or where a later lap's record now stands; it claims again instead.</li>
 *   <li><b>Commit and abort.</b> One release store of the whole header word: {@code (+frameLength, session)} or
 *   padding. A store, not a CAS, because a record cannot be reused while its claimer may still write it: the
 *   subscriber that skips a stalled claim marks it skipped and holds its release until this very store lands or
 *   the claimer's process is dead (see {@link RecordDescriptor}). A late commit therefore lands on its own record
 *   and merely lets it go; it never reaches a later lap's record, and neither does a late payload byte.</li>
 *   <li><b>Wake.</b> After the commit the writer reads the subscriber's wait state (a line every offer has just
 *   read for the subscriber's token) and calls the waker only if the subscriber announced that it sleeps (see
 *   {@link io.shmlink.shm.wait.ReaderWait}).</li>
 * </ul>
 * <b>Memory access.</b> The hot path uses raw addresses ({@link UnsafeApi}), each in the mapping by construction:
 * control words are at fixed offsets below {@code RING_OFFSET}; a ring index is a position masked with
 * {@code capacity - 1} (positions read from the segment are checked 8-aligned first); a record is placed only
 * where its aligned length fits before the end of the ring; and {@link ChannelSegment} guarantees that the
 * mapping covers header and ring. Slow paths keep the bounds-checked buffer.
 * <p>
 * An MPSC writer may be used by many threads at once; an SPSC writer by one thread at a time.
 */
public final class RingWriter implements BufferClaim.Completer
{
    private final ChannelSegment segment;
    private final UnsafeBuffer buffer;
    private final boolean multiProducer;
    private final int capacity;
    private final int mask;
    private final int capacityShift;
    private final int maxMessageLength;
    private final int session;
    private final long baseAddress;
    private final long ringAddress;
    private final long tailAddress;
    private final long waitStateAddress;
    private final Runnable subscriberWaker;

    /** The subscriber's head as last read; stale is safe, it only under-reports free space. */
    private long headCache;

    /** SPSC only: the tail this sole publisher owns. */
    private long tail;

    /**
     * @param segment       the mapped channel.
     * @param multiProducer true for MPSC (CAS on the tail), false for SPSC.
     * @param session       this publisher's session, written into every record's type field.
     */
    public RingWriter(final ChannelSegment segment, final boolean multiProducer, final int session)
    {
        this(segment, multiProducer, session, () -> {});
    }

    /**
     * @param segment         the mapped channel.
     * @param multiProducer   true for MPSC (CAS on the tail), false for SPSC.
     * @param session         this publisher's session, written into every record's type field.
     * @param subscriberWaker called after a commit that found the subscriber asleep.
     */
    public RingWriter(
        final ChannelSegment segment, final boolean multiProducer, final int session, final Runnable subscriberWaker)
    {
        this.subscriberWaker = subscriberWaker;
        this.segment = segment;
        this.buffer = segment.buffer();
        this.multiProducer = multiProducer;
        this.capacity = segment.config().capacity();
        this.mask = capacity - 1;
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
        this.maxMessageLength = segment.config().maxMessageLength();
        this.session = session;
        this.baseAddress = segment.address();
        this.ringAddress = baseAddress + RING_OFFSET;
        this.tailAddress = baseAddress + TAIL_POSITION_OFFSET;
        this.waitStateAddress = baseAddress + SUBSCRIBER_WAIT_STATE_OFFSET;
        // Head, tail, head again. On a live channel the others move between the reads, so one read of each proves
        // nothing (a head read after the tail may be ahead of it: the kill soak caught a restarted publisher calling
        // a healthy channel corrupt so). The head only grows and never passes the tail: the head read before the
        // tail cannot be ahead of it, and the tail cannot be more than a ring ahead of the head read after it.
        final long headBefore = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        final long currentTail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
        final long headAfter = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        checkPositions(headBefore, currentTail, headAfter);
        this.tail = currentTail;
        this.headCache = headAfter;
    }

    /**
     * Copies a message into the ring.
     *
     * @param src    the message's buffer.
     * @param offset of the message.
     * @param length of the message.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     * @throws IllegalArgumentException if the length is negative or above the maximum, or offset and length leave
     *                                  {@code src}.
     */
    public long write(final DirectBuffer src, final int offset, final int length)
    {
        checkRange(src, offset, length);
        final long position = claim(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        final int recordOffset = recordOffset(position);
        // src's range was checked above, and the record was placed where it fits: the one raw copy of the path
        UnsafeApi.copyMemory(
            src.byteArray(), src.addressOffset() + offset, null, baseAddress + recordOffset + HEADER_LENGTH, length);
        commitCopied(recordOffset, length);
        return position + align(length + HEADER_LENGTH, ALIGNMENT);
    }

    /**
     * Copies a message from a {@link ByteBuffer} into the ring.
     *
     * @param src    the message's buffer.
     * @param offset absolute index of the message in {@code src}.
     * @param length of the message.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     * @throws IllegalArgumentException  if the length is negative or above the maximum.
     * @throws IndexOutOfBoundsException if offset and length leave {@code src}.
     */
    public long write(final ByteBuffer src, final int offset, final int length)
    {
        checkLength(length);
        if (offset < 0 || offset > src.capacity() - length)
        {
            // before the claim: a claim left unfilled by the exception would stall the ring for the claim timeout
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length +
                " leave the buffer of capacity " + src.capacity());
        }
        final long position = claim(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        final int recordOffset = recordOffset(position);
        buffer.putBytes(recordOffset + HEADER_LENGTH, src, offset, length);
        commitCopied(recordOffset, length);
        return position + align(length + HEADER_LENGTH, ALIGNMENT);
    }

    /**
     * Claims a record for the caller to fill in place.
     *
     * @param length of the message.
     * @param claim  filled with the claimed region.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     * @throws IllegalArgumentException if the length is negative or above the maximum.
     */
    public long claim(final int length, final BufferClaim claim)
    {
        checkLength(length);
        final long position = claim(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        final int recordOffset = recordOffset(position);
        claim.wrap(this, baseAddress + recordOffset + HEADER_LENGTH, recordOffset, length);
        return position + align(length + HEADER_LENGTH, ALIGNMENT);
    }

    /**
     * Checks a message's length as every send method does, for callers that must refuse a bad argument before
     * they look at anything else.
     *
     * @param length of the message.
     * @throws IllegalArgumentException if the length is negative or above the maximum.
     */
    public void checkLength(final int length)
    {
        if (length < 0 || length > maxMessageLength)
        {
            throw badLength(length);
        }
    }

    /**
     * Checks a message's length and place in its buffer as {@link #write(DirectBuffer, int, int)} does.
     *
     * @param src    the message's buffer.
     * @param offset of the message.
     * @param length of the message.
     * @throws IllegalArgumentException if the length is negative or above the maximum, or offset and length leave
     *                                  {@code src}.
     */
    public void checkRange(final DirectBuffer src, final int offset, final int length)
    {
        final int srcCapacity = src.capacity();
        if (length < 0 || length > maxMessageLength || offset < 0 || offset > srcCapacity - length)
        {
            throw badRange(offset, length, srcCapacity);
        }
    }

    private IllegalArgumentException badLength(final int length)
    {
        return new IllegalArgumentException("message length " + length + " is outside [0, " + maxMessageLength +
            "] for channel '" + segment.name() + "'");
    }

    private IllegalArgumentException badRange(final int offset, final int length, final int srcCapacity)
    {
        if (length < 0 || length > maxMessageLength)
        {
            return badLength(length);
        }
        return new IllegalArgumentException("offset " + offset + " and length " + length +
            " leave the buffer of capacity " + srcCapacity);
    }

    private int recordOffset(final long position)
    {
        return RING_OFFSET + ((int)position & mask);
    }

    /**
     * {@inheritDoc} One release store of the header word, for the reason given in the class comment.
     */
    @Override
    public void commit(final int recordOffset, final int length)
    {
        checkClaimed(recordOffset, length);
        commitCopied(recordOffset, length);
    }

    /**
     * Commits a record this writer claimed and filled itself, so offset and length need no check.
     *
     * @param recordOffset of the record in the segment.
     * @param length       of the message.
     */
    void commitCopied(final int recordOffset, final int length)
    {
        UnsafeApi.putLongRelease(null, baseAddress + recordOffset, header(length + HEADER_LENGTH, session));
        // volatile rather than plain so the JIT cannot hoist the read out of a caller's offer loop
        if (UnsafeApi.getIntVolatile(null, waitStateAddress) == WAIT_STATE_SLEEPING)
        {
            subscriberWaker.run();
        }
    }

    /** {@inheritDoc} One release store of a padding header over the claimed one. */
    @Override
    public void abort(final int recordOffset, final int length)
    {
        checkClaimed(recordOffset, length);
        UnsafeApi.putLongRelease(
            null, baseAddress + recordOffset, header(align(length + HEADER_LENGTH, ALIGNMENT), PADDING_TYPE));
    }

    /**
     * A {@link BufferClaim} hands back what {@link #claim(int, BufferClaim)} gave it, but its {@code wrap} is
     * public: a record outside the ring would be a raw write outside the mapping, so it is refused.
     */
    private void checkClaimed(final int recordOffset, final int length)
    {
        final int index = recordOffset - RING_OFFSET;
        if (index < 0 || (index & (ALIGNMENT - 1)) != 0 || length < 0 || length > maxMessageLength ||
            index > capacity - HEADER_LENGTH - length)
        {
            throw new IllegalArgumentException("record offset " + recordOffset + " and length " + length +
                " were not claimed from this ring");
        }
    }

    /**
     * The longest message this ring carries.
     *
     * @return bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * Claims space for a record and writes its header as claimed ({@code -frameLength}).
     *
     * @return the position of the record (after any padding), or BACK_PRESSURED.
     */
    private long claim(final int frameLength)
    {
        final int alignedLength = align(frameLength, ALIGNMENT);
        return multiProducer ? claimShared(frameLength, alignedLength) : claimExclusive(frameLength, alignedLength);
    }

    /**
     * SPSC. The subscriber does not zero what it consumes (that would write into lines this publisher is about to
     * fill, costing a coherence miss per message); instead this publisher zeroes the header after its record
     * before committing, as Agrona's {@code OneToOneRingBuffer} does, so it needs {@code HEADER_LENGTH} bytes of
     * room beyond the record. Every header of the claim is written, as claimed, <i>before</i> the tail store:
     * a publisher that dies after the tail store always leaves the extent of its claim for the subscriber to
     * skip, and one that dies before it leaves nothing its successor will not overwrite.
     */
    private long claimExclusive(final int frameLength, final int alignedLength)
    {
        final long claimed = tail;
        final int index = (int)claimed & mask;
        final int toEnd = capacity - index;
        final int padding = alignedLength > toEnd ? toEnd : 0;
        final long required = padding + alignedLength + HEADER_LENGTH;
        if (claimed + required - headCache > capacity)
        {
            final long head = UnsafeApi.getLongAcquire(null, baseAddress + HEAD_POSITION_OFFSET);
            checkHead(head, claimed);
            headCache = head;
            if (claimed + required - head > capacity)
            {
                return backPressured();
            }
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

    /**
     * MPSC. The tail CAS is the claim; the header goes in by a CAS from the free word of the claim's lap (see
     * {@link FreeWord}), which fails only if this thread stood still between the two for longer than the claim
     * timeout and the subscriber took the space as a gap: then nothing was written, and the space is claimed anew.
     */
    private long claimShared(final int frameLength, final int alignedLength)
    {
        while (true)
        {
            long head = headCache;
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
                final long required = padding + alignedLength;
                if (claimed + required - head > capacity)
                {
                    head = UnsafeApi.getLongAcquire(null, baseAddress + HEAD_POSITION_OFFSET);
                    checkHead(head, claimed);
                    headCache = head;
                    if (claimed + required - head > capacity)
                    {
                        return backPressured();
                    }
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

    private long backPressured()
    {
        buffer.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
        return Publisher.BACK_PRESSURED;
    }

    /**
     * Checks a head read after the tail {@code claimedTail} was read. The head only grows, so it is at most one
     * ring behind that older tail; it may be ahead of it (MPSC: others claimed and the subscriber consumed since),
     * but never ahead of the tail as it is now.
     */
    private void checkHead(final long head, final long claimedTail)
    {
        if ((head & (ALIGNMENT - 1)) != 0 || head < 0 || claimedTail - head > capacity ||
            (head > claimedTail && (!multiProducer || head > buffer.getLongVolatile(TAIL_POSITION_OFFSET))))
        {
            throw segment.corrupt("head position", head + " (tail " + claimedTail + ", capacity " + capacity +
                ": the head must be 8-aligned, at most one ring behind the tail and not ahead of it)");
        }
    }

    private void checkPositions(final long headBefore, final long tail, final long headAfter)
    {
        if (((headBefore | tail | headAfter) & (ALIGNMENT - 1)) != 0 || headBefore < 0 || headAfter < headBefore ||
            headBefore > tail || tail - headAfter > capacity)
        {
            throw segment.corrupt("head/tail position", headBefore + ".." + headAfter + "/" + tail + " (capacity " +
                capacity + ": all 8-aligned, the head not ahead of the tail and within one ring behind it)");
        }
    }
}
