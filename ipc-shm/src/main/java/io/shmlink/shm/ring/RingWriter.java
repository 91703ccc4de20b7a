package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.shmlink.shm.ring.RecordDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.BACK_PRESSURE_EVENTS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUSPECTED_CLAIM_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * The publishing side of a ring: claims space, writes records, commits them.
 * <p>
 * <b>Claiming.</b> The tail position is advanced <i>before</i> the record is committed, so a position handed out is
 * never handed out again, even if this process dies before it commits; the subscriber then finds a claimed record
 * (negative length) or, for MPSC, a zeroed gap and recovers it (see {@link RingReader}).
 * <ul>
 *   <li>SPSC: the only publisher keeps the tail in a field and publishes it with a release store: no atomic
 *   read-modify-write on the hot path.</li>
 *   <li>MPSC: publishers race with a CAS on the tail. A CAS rather than a fetch-add, because a fetch-add cannot be
 *   taken back: a publisher that found the ring full after adding would leave a hole the subscriber must skip.
 *   </li>
 * </ul>
 * Either way the publisher caches the subscriber's head and re-reads it (acquire) only when the cache says full,
 * so an un-full ring costs no read of the subscriber's cache line.
 * <p>
 * <b>Committing.</b> Each record is written as: type, then {@code -frameLength} (release: the extent of the claim
 * is known before any payload byte lands), payload, then {@code +frameLength} with a release store. That last
 * store is the one that makes the record visible; the subscriber reads it with an acquire load.
 * <p>
 * MPSC adds one case. The subscriber skips a claim that stays uncommitted past its timeout and zeroes the space
 * for reuse; a commit after that would leave a committed length in free space, to be read a lap later as a record
 * or as the end of a dead claim's gap. Such a commit must be a CAS from {@code -frameLength}, which fails once the
 * claim is gone. A CAS on every offer would cost about 15% of a small message's offer and poll, so:
 * <ul>
 *   <li>the subscriber announces a stalled record's position ({@code SUSPECTED_CLAIM_POSITION_OFFSET}, volatile)
 *   when it first sees the stall (for a zeroed gap, the highest position the gap's skip may cover), and skips no
 *   sooner than {@link RingReader#SKIP_GRACE_NS} (50 ms) after the check that follows the announcement, nor sooner
 *   than the claim timeout, even if the publisher is known dead. An announcement is never below the head it is
 *   made at, and a skipped record lies below the head from then on, so every announcement after a record's is at
 *   or above its position too (initially 0: the record at position 0 always CASes);</li>
 *   <li>an offer, once its payload is copied, reads the announcement (acquire) and commits with a release store if
 *   it is below its record's position, with the CAS if at or above.</li>
 * </ul>
 * A plain commit therefore lands in skipped space only if the offering thread stood still between that read and
 * its store, two adjacent operations, for the whole grace and the claim timeout: descheduled by the OS or stopped
 * by the JVM exactly there. For a live publisher that is the same bargain as the timeout itself (see below); the
 * grace matters alone where the skip does not wait for the timeout: a publisher known dead (including a
 * {@code Publisher} closed while another of its threads was still offering) and timeouts shorter than the grace,
 * which act as the grace. A pause as long before the read makes the offer CAS and lose its message, as
 * documented. The same pause during the copy would let the rest of the payload land in space handed out again,
 * which no commit protocol can undo: that is why the claim timeout must exceed any pause a live publisher can
 * take. A {@link BufferClaim}'s commit always CASes: the claim does not carry the record's position, and the time
 * to commit is the caller's anyway.
 * <p>
 * <b>Waking.</b> After that store the writer reads the subscriber's wait state, a line every offer has just read
 * for the subscriber's token, and calls the waker only if the subscriber announced it sleeps (see
 * {@link io.shmlink.shm.wait.ReaderWait}). No fence separates the commit from that read: a fence on every
 * offer would cost more than the rare late wake-up it prevents, which the subscriber's bounded sleep caps.
 * <p>
 * <b>Memory access.</b> The hot path reads and writes the mapping through raw addresses ({@link UnsafeApi}), not
 * through {@link UnsafeBuffer}'s per-access bounds checks, which cost about a third of a small message's offer and
 * poll. Every such address is in the mapping by construction, not by trust in the segment: control words are at
 * fixed offsets below {@code RING_OFFSET}; a ring index is a position masked with {@code capacity - 1} (positions
 * read from the segment are checked 8-aligned first, so a header at an index fits); a record is placed only where
 * its aligned length fits before the end of the ring; and {@link ChannelSegment} guarantees that the mapping covers
 * header and ring. Slow paths (back pressure, corruption reports) keep the checked buffer. {@link RingReader}
 * reads the same way, and bounds every length it reads before it reads behind it.
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
    private final int maxMessageLength;
    private final int session;
    private final long baseAddress;
    private final long ringAddress;
    private final long tailAddress;
    private final long waitStateAddress;
    private final long suspectedClaimAddress;
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
        this.maxMessageLength = segment.config().maxMessageLength();
        this.session = session;
        this.baseAddress = segment.address();
        this.ringAddress = baseAddress + RING_OFFSET;
        this.tailAddress = baseAddress + TAIL_POSITION_OFFSET;
        this.waitStateAddress = baseAddress + SUBSCRIBER_WAIT_STATE_OFFSET;
        this.suspectedClaimAddress = baseAddress + SUSPECTED_CLAIM_POSITION_OFFSET;
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
        commitCopied(position, recordOffset, length);
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
        commitCopied(position, recordOffset, length);
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
     * {@inheritDoc} MPSC commits with a CAS from the claimed length: if the subscriber gave up on this claim (the
     * caller held it past the claim timeout) it has turned the record into padding, consumed it and zeroed it, and
     * a plain store would leave a committed length in free space (see the class comment). The CAS fails instead
     * and the message is lost, as documented. SPSC needs no CAS: its subscriber never zeroes, and only this
     * publisher writes the ring.
     */
    @Override
    public void commit(final int recordOffset, final int length)
    {
        checkClaimed(recordOffset, length);
        publish(recordOffset, length, multiProducer);
    }

    /**
     * Commits a record this writer claimed and filled itself, so offset and length need no check: MPSC with a CAS
     * only if the subscriber has announced it suspects the record (see the class comment), else with a release
     * store. Package-private for the tests that commit after a skip.
     *
     * @param position     of the record.
     * @param recordOffset of the record in the segment.
     * @param length       of the message.
     */
    void commitCopied(final long position, final int recordOffset, final int length)
    {
        // Acquire rather than plain so the JIT cannot hoist the load out of a caller's offer loop and commit on a
        // stale announcement; the commit is ordered after it by its own release (or CAS), and nothing orders the
        // load after the copy's stores, which does not matter: only the load-to-commit window is timed.
        publish(recordOffset, length,
            multiProducer && UnsafeApi.getLongAcquire(null, suspectedClaimAddress) >= position);
    }

    private void publish(final int recordOffset, final int length, final boolean mayHaveBeenSkipped)
    {
        final long lengthAddress = baseAddress + recordOffset + LENGTH_OFFSET;
        final int frameLength = length + HEADER_LENGTH;
        if (mayHaveBeenSkipped)
        {
            UnsafeApi.compareAndSetInt(null, lengthAddress, -frameLength, frameLength);
        }
        else
        {
            UnsafeApi.putIntRelease(null, lengthAddress, frameLength);
        }
        // volatile rather than plain so the JIT cannot hoist the read out of a caller's offer loop
        if (UnsafeApi.getIntVolatile(null, waitStateAddress) == WAIT_STATE_SLEEPING)
        {
            subscriberWaker.run();
        }
    }

    /** {@inheritDoc} MPSC aborts with a CAS from the claimed length, for the reason given at {@link #commit}. */
    @Override
    public void abort(final int recordOffset, final int length)
    {
        checkClaimed(recordOffset, length);
        final int lengthOffset = recordOffset + LENGTH_OFFSET;
        final int frameLength = length + HEADER_LENGTH;
        buffer.putInt(recordOffset + TYPE_OFFSET, PADDING_TYPE);
        if (multiProducer)
        {
            buffer.compareAndSetInt(lengthOffset, -frameLength, align(frameLength, ALIGNMENT));
        }
        else
        {
            buffer.putIntRelease(lengthOffset, align(frameLength, ALIGNMENT));
        }
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
            UnsafeApi.putInt(null, ring + index + TYPE_OFFSET, session);
            UnsafeApi.putIntRelease(null, ring + index + LENGTH_OFFSET, -padding);
        }
        UnsafeApi.putInt(null, ring + recordIndex + TYPE_OFFSET, session);
        UnsafeApi.putIntRelease(null, ring + recordIndex + LENGTH_OFFSET, -frameLength);
        tail = claimed + padding + alignedLength;
        UnsafeApi.putLongRelease(null, tailAddress, tail);
        if (padding != 0)
        {
            UnsafeApi.putInt(null, ring + index + TYPE_OFFSET, PADDING_TYPE);
            UnsafeApi.putIntRelease(null, ring + index + LENGTH_OFFSET, padding);
        }
        return claimed + padding;
    }

    /**
     * MPSC. The tail CAS is the claim, so it comes first; a publisher that dies right after it leaves a gap
     * of zeros (the subscriber zeroes what it consumes), which the subscriber measures by scanning for the next
     * header.
     */
    private long claimShared(final int frameLength, final int alignedLength)
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

        if (padding != 0)
        {
            final long paddingAddress = ringAddress + ((int)claimed & mask);
            UnsafeApi.putInt(null, paddingAddress + TYPE_OFFSET, PADDING_TYPE);
            UnsafeApi.putIntRelease(null, paddingAddress + LENGTH_OFFSET, padding);
        }
        final long recordAddress = ringAddress + ((int)(claimed + padding) & mask);
        UnsafeApi.putInt(null, recordAddress + TYPE_OFFSET, session);
        UnsafeApi.putIntRelease(null, recordAddress + LENGTH_OFFSET, -frameLength);
        return claimed + padding;
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
