package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.DirectBuffer;
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
 * is known before any payload byte lands), payload, then {@code +frameLength} with a release store (SPSC) or a
 * CAS from {@code -frameLength} (MPSC, see {@link #commit}). That last store is the one that makes the record
 * visible; the subscriber reads it with an acquire load.
 * <p>
 * <b>Waking.</b> After that store the writer reads the subscriber's wait state, a line every offer has just read
 * for the subscriber's token, and calls the waker only if the subscriber announced it sleeps (see
 * {@link io.shmlink.shm.wait.ReaderWait}). No fence separates the commit from that read: a fence on every
 * offer would cost more than the rare late wake-up it prevents, which the subscriber's bounded sleep caps.
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
        this.baseAddress = buffer.addressOffset();
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
     * @param length of the message, already checked against the maximum.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     */
    public long write(final DirectBuffer src, final int offset, final int length)
    {
        final long position = claim(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        final int recordOffset = recordOffset(position);
        buffer.putBytes(recordOffset + HEADER_LENGTH, src, offset, length);
        commit(recordOffset, length);
        return position + align(length + HEADER_LENGTH, ALIGNMENT);
    }

    /**
     * Copies a message from a {@link ByteBuffer} into the ring.
     *
     * @param src    the message's buffer.
     * @param offset absolute index of the message in {@code src}.
     * @param length of the message, already checked against the maximum.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     */
    public long write(final ByteBuffer src, final int offset, final int length)
    {
        final long position = claim(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        final int recordOffset = recordOffset(position);
        buffer.putBytes(recordOffset + HEADER_LENGTH, src, offset, length);
        commit(recordOffset, length);
        return position + align(length + HEADER_LENGTH, ALIGNMENT);
    }

    /**
     * Claims a record for the caller to fill in place.
     *
     * @param length of the message, already checked against the maximum.
     * @param claim  filled with the claimed region.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     */
    public long claim(final int length, final BufferClaim claim)
    {
        final long position = claim(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        final int recordOffset = recordOffset(position);
        claim.wrap(this, baseAddress + recordOffset + HEADER_LENGTH, recordOffset, length);
        return position + align(length + HEADER_LENGTH, ALIGNMENT);
    }

    private int recordOffset(final long position)
    {
        return RING_OFFSET + ((int)position & mask);
    }

    /**
     * {@inheritDoc} MPSC commits with a CAS from the claimed length: if the subscriber gave up on this claim (the
     * publisher paused past the claim timeout) it has turned the record into padding, consumed it and zeroed it,
     * and a plain store would leave a committed length in free space, where the subscriber would later read it as
     * a record or as the end of a dead claim's gap. The CAS fails instead and the message is lost, as documented.
     * SPSC needs no CAS: its subscriber never zeroes, and only this publisher writes the ring.
     */
    @Override
    public void commit(final int recordOffset, final int length)
    {
        final int lengthOffset = recordOffset + LENGTH_OFFSET;
        final int frameLength = length + HEADER_LENGTH;
        if (multiProducer)
        {
            buffer.compareAndSetInt(lengthOffset, -frameLength, frameLength);
        }
        else
        {
            buffer.putIntRelease(lengthOffset, frameLength);
        }
        // volatile rather than plain so the JIT cannot hoist the read out of a caller's offer loop
        if (buffer.getIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET) == WAIT_STATE_SLEEPING)
        {
            subscriberWaker.run();
        }
    }

    /** {@inheritDoc} MPSC aborts with a CAS from the claimed length, for the reason given at {@link #commit}. */
    @Override
    public void abort(final int recordOffset, final int length)
    {
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
            final long head = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
            checkHead(head, claimed);
            headCache = head;
            if (claimed + required - head > capacity)
            {
                return backPressured();
            }
        }
        final int recordIndex = padding != 0 ? 0 : index;
        buffer.putLong(RING_OFFSET + ((recordIndex + alignedLength) & mask), 0L);
        if (padding != 0)
        {
            buffer.putInt(RING_OFFSET + index + TYPE_OFFSET, session);
            buffer.putIntRelease(RING_OFFSET + index + LENGTH_OFFSET, -padding);
        }
        buffer.putInt(RING_OFFSET + recordIndex + TYPE_OFFSET, session);
        buffer.putIntRelease(RING_OFFSET + recordIndex + LENGTH_OFFSET, -frameLength);
        tail = claimed + padding + alignedLength;
        buffer.putLongRelease(TAIL_POSITION_OFFSET, tail);
        if (padding != 0)
        {
            buffer.putInt(RING_OFFSET + index + TYPE_OFFSET, PADDING_TYPE);
            buffer.putIntRelease(RING_OFFSET + index + LENGTH_OFFSET, padding);
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
            claimed = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
            if ((claimed & (ALIGNMENT - 1)) != 0 || claimed < 0)
            {
                throw segment.corrupt("tail position", claimed + " (must be 8-aligned and not negative)");
            }
            final int toEnd = capacity - ((int)claimed & mask);
            padding = alignedLength > toEnd ? toEnd : 0;
            final long required = padding + alignedLength;
            if (claimed + required - head > capacity)
            {
                head = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
                checkHead(head, claimed);
                headCache = head;
                if (claimed + required - head > capacity)
                {
                    return backPressured();
                }
            }
        }
        while (!buffer.compareAndSetLong(TAIL_POSITION_OFFSET, claimed, claimed + padding + alignedLength));

        if (padding != 0)
        {
            final int paddingOffset = RING_OFFSET + ((int)claimed & mask);
            buffer.putInt(paddingOffset + TYPE_OFFSET, PADDING_TYPE);
            buffer.putIntRelease(paddingOffset + LENGTH_OFFSET, padding);
        }
        final int recordOffset = RING_OFFSET + ((int)(claimed + padding) & mask);
        buffer.putInt(recordOffset + TYPE_OFFSET, session);
        buffer.putIntRelease(recordOffset + LENGTH_OFFSET, -frameLength);
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
