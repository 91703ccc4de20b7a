package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static io.shmlink.shm.ring.RecordDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.BACK_PRESSURE_EPISODES_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.BACK_PRESSURE_EVENTS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;

/**
 * The publishing side of a ring: claims space, writes records, commits them. One subclass per producer mode, as
 * Agrona splits {@code OneToOneRingBuffer} from {@code ManyToOneRingBuffer}: {@link SpscRingWriter} and
 * {@link MpscRingWriter} differ only in how they claim. The fan-out writers, {@link SpmcRingWriter} (a subclass of
 * the SPSC one) and {@link MpmcRingWriter}, differ in where the released position comes from and in committing by
 * CAS, and MPMC claims by its tail; a queue's writer carries none of that. The record states and the claim,
 * commit, abort and skip steps are drawn in {@code docs/DESIGN.md}; this comment gives the contract.
 * <ul>
 *   <li><b>Claim.</b> A position handed out is never handed out again, even if this process dies before it
 *   commits: SPSC and MPMC advance the tail before the record is written (an SPSC copying send writes the message
 *   past the tail first, visible to nobody, then claims); MPSC takes the record's header word by
 *   CAS, the tail being only a hint. The subscriber's head is cached and re-read (acquire) only when the cache says
 *   full.</li>
 *   <li><b>Commit and abort.</b> One release store of the whole header word: {@code (+frameLength, session)} or
 *   padding. A store, not a CAS, because a record cannot be reused while its claimer may still write it: the
 *   subscriber that skips a stalled claim marks it skipped and holds its release until this very store lands or
 *   the claimer's process is dead (see {@link RecordDescriptor}). A late commit therefore lands on its own record
 *   and merely lets it go; it never reaches a later lap's record, and neither does a late payload byte.</li>
 *   <li><b>Wake-up</b> is not the ring's business: the publisher reads the subscriber's wait state after a send
 *   or a completed claim returns (see {@code docs/DESIGN.md}, "The doorbell").</li>
 * </ul>
 * <b>Memory access.</b> The hot path uses raw addresses ({@link UnsafeApi}), each in the mapping by construction:
 * control words are at fixed offsets below {@code RING_OFFSET}; a ring index is a position masked with
 * {@code capacity - 1} (positions read from the segment are checked 64-aligned first); a record is placed only
 * where its aligned length fits before the end of the ring; and {@link ChannelSegment} guarantees that the
 * mapping covers header and ring. Slow paths keep the bounds-checked buffer.
 * <p>
 * The thread-safety contract is the subclass's: an MPSC writer may be used by many threads at once, an SPSC writer
 * by one thread at a time.
 */
public abstract sealed class RingWriter implements BufferClaim.Completer
    permits SpscRingWriter, MpscRingWriter, MpmcRingWriter
{
    final ChannelSegment segment;
    final UnsafeBuffer buffer;
    final int capacity;
    final int mask;
    final int maxMessageLength;
    final int session;
    final long baseAddress;
    final long ringAddress;
    final long tailAddress;

    /**
     * The subscriber's head as last read; stale is safe, it only under-reports free space. Threads sharing an MPSC
     * writer share it, so it is read with acquire and stored with release ({@link #HEAD_CACHE}): a thread that
     * trusts another's read of the head then also sees the space that head released marked free (free on x86).
     */
    long headCache;

    private static final VarHandle HEAD_CACHE = VarHandles.field(MethodHandles.lookup(), "headCache", long.class);

    /**
     * Whether this writer's last send was refused for lack of space: the next refusal then continues that episode
     * of back-pressure. Plain: threads sharing an MPSC writer may race on it, which can only miscount episodes.
     */
    private boolean backPressureEpisode;

    /** The tail as read at attach, checked against the head read around it. */
    final long attachTail;

    RingWriter(final ChannelSegment segment, final int session)
    {
        this.segment = segment;
        this.buffer = segment.buffer();
        this.capacity = segment.config().capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = segment.config().maxMessageLength();
        this.session = session;
        this.baseAddress = segment.address();
        this.ringAddress = baseAddress + RING_OFFSET;
        this.tailAddress = baseAddress + TAIL_POSITION_OFFSET;
        // Head, tail, head again. On a live channel the others move between the reads, so one read of each proves
        // nothing (a head read after the tail may be ahead of it). The head only grows and never passes the tail:
        // the head read before the tail cannot be ahead of it, and the tail cannot be more than a ring ahead of the
        // head read after it.
        final long headBefore = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        final long currentTail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
        final long headAfter = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        checkPositions(headBefore, currentTail, headAfter, this instanceof MpscRingWriter);
        this.attachTail = currentTail;
        this.headCache = headAfter;
    }

    /**
     * The writer for the segment's producer mode.
     *
     * @param segment the mapped channel.
     * @param session this publisher's session, written into every record's type field.
     * @return an {@link SpscRingWriter} or an {@link MpscRingWriter}.
     */
    public static RingWriter of(final ChannelSegment segment, final int session)
    {
        return of(segment, session, null);
    }

    /**
     * The writer for the segment's producer mode.
     *
     * @param segment the mapped channel.
     * @param session this publisher's session, written into every record's type field.
     * @param gate    for a fan-out channel, the subscribers' gate; null for SPSC and MPSC.
     * @return an {@link SpscRingWriter}, {@link MpscRingWriter}, {@link SpmcRingWriter} or {@link MpmcRingWriter}.
     */
    public static RingWriter of(final ChannelSegment segment, final int session, final FanOutGate gate)
    {
        final ChannelMode mode = segment.config().mode();
        if (mode.isFanOut() != (gate != null))
        {
            throw new IllegalArgumentException("a gate goes with a fan-out channel, and only with one: " + mode);
        }
        if (mode.isFanOut())
        {
            return mode.isMultiPublisher() ?
                new MpmcRingWriter(segment, session, gate) : new SpmcRingWriter(segment, session, gate);
        }
        return mode.isMultiPublisher() ? new MpscRingWriter(segment, session) : new SpscRingWriter(segment, session);
    }

    /**
     * Claims space for a record and writes its header as claimed ({@code -frameLength}).
     *
     * @param frameLength header and message, not yet aligned.
     * @return the position of the record (after any padding), or BACK_PRESSURED.
     */
    abstract long claimRecord(int frameLength);

    /**
     * Copies a message into the ring.
     *
     * @param src    the message's buffer.
     * @param offset of the message.
     * @param length of the message.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}; {@link Publisher#CLOSED} if an
     * SPSC send found another publisher's tail (a close raced it).
     * @throws IllegalArgumentException if the length is negative or above the maximum, or offset and length leave
     *                                  {@code src}.
     */
    public final long write(final DirectBuffer src, final int offset, final int length)
    {
        checkRange(src, offset, length);
        // src's range was checked above
        return copyRecord(src.byteArray(), src.addressOffset() + offset, length);
    }

    /**
     * Claims a record, copies a checked range into it and commits it.
     *
     * @param srcBase    the source array, or null for an address.
     * @param srcAddress the source's offset in the array, or its address.
     * @param length     of the message, checked.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}; {@link Publisher#CLOSED} if an
     * SPSC send found another publisher's tail (a close raced it).
     */
    long copyRecord(final Object srcBase, final long srcAddress, final int length)
    {
        final long position = claimRecord(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        claimed();
        final int recordOffset = recordOffset(position);
        // the record was placed where it fits: the one raw copy of the path
        UnsafeApi.copyMemory(srcBase, srcAddress, null, baseAddress + recordOffset + HEADER_LENGTH, length);
        commitCopied(recordOffset, length, length);
        zeroAhead();
        return position + recordLength(length);
    }

    /**
     * Copies a message from a {@link ByteBuffer} into the ring.
     *
     * @param src    the message's buffer.
     * @param offset absolute index of the message in {@code src}.
     * @param length of the message.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}; {@link Publisher#CLOSED} if an
     * SPSC send found another publisher's tail (a close raced it).
     * @throws IllegalArgumentException  if the length is negative or above the maximum.
     * @throws IndexOutOfBoundsException if offset and length leave {@code src}.
     */
    public final long write(final ByteBuffer src, final int offset, final int length)
    {
        checkLength(length);
        if (offset < 0 || offset > src.capacity() - length)
        {
            // before the claim: a claim left unfilled by the exception would stall the ring for the claim timeout
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length +
                " leave the buffer of capacity " + src.capacity());
        }
        // src's range was checked above; a heap buffer, read-only or not, is copied from its array, as Agrona does
        return src.isDirect() ? copyRecord(null, BufferUtil.address(src) + offset, length) :
            copyRecord(BufferUtil.array(src), BufferUtil.ARRAY_BASE_OFFSET + BufferUtil.arrayOffset(src) + offset,
            length);
    }

    /**
     * Claims a record for the caller to fill in place, committed or aborted through this writer.
     *
     * @param length of the message.
     * @param claim  filled with the claimed region.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     * @throws IllegalArgumentException if the length is negative or above the maximum.
     */
    public final long claim(final int length, final BufferClaim claim)
    {
        return claim(length, claim, this);
    }

    /**
     * Claims a record for the caller to fill in place.
     *
     * @param length    of the message.
     * @param claim     filled with the claimed region.
     * @param completer what the claim's commit and abort call: this writer, or a caller's wrapper around it.
     * @return the position after the record, or {@link Publisher#BACK_PRESSURED}.
     * @throws IllegalArgumentException if the length is negative or above the maximum.
     */
    public final long claim(final int length, final BufferClaim claim, final BufferClaim.Completer completer)
    {
        checkLength(length);
        final long position = claimRecord(length + HEADER_LENGTH);
        if (position < 0)
        {
            return position;
        }
        claimed();
        final int recordOffset = recordOffset(position);
        claim.wrap(completer, baseAddress + recordOffset + HEADER_LENGTH, recordOffset, length);
        return position + recordLength(length);
    }

    /**
     * Checks a message's length as every send method does, for callers that must refuse a bad argument before
     * they look at anything else.
     *
     * @param length of the message.
     * @throws IllegalArgumentException if the length is negative or above the maximum.
     */
    public final void checkLength(final int length)
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
    public final void checkRange(final DirectBuffer src, final int offset, final int length)
    {
        final int srcCapacity = src.capacity();
        if (length < 0 || length > maxMessageLength || offset < 0 || offset > srcCapacity - length)
        {
            throw badRange(offset, length, srcCapacity);
        }
    }

    /**
     * What a user needs to know about a refused length: the limit, the ring that would hold the message, and the
     * socket streams for data of no fixed bound.
     */
    private IllegalArgumentException badLength(final int length)
    {
        if (length < 0)
        {
            return new IllegalArgumentException("message length " + length + " is negative (channel '" +
                segment.name() + "')");
        }
        final long ringNeeded = Math.max(ChannelConfig.MIN_CAPACITY, BitUtil.findNextPositivePowerOfTwo(length * 8L));
        final String ring = ringNeeded <= ChannelConfig.MAX_CAPACITY ?
            "a channel of capacity " + binary(ringNeeded) + " or more would hold it" :
            "no channel holds it: the largest capacity, " + binary(ChannelConfig.MAX_CAPACITY) + ", takes messages " +
            "of up to " + binary(ChannelConfig.MAX_CAPACITY / 8);
        return new IllegalArgumentException("message length " + length + " exceeds the maximum " + maxMessageLength +
            " of channel '" + segment.name() + "' (capacity " + binary(capacity) + "; a message is at most " +
            "capacity / 8); " + ring + "; for data of any size, use a stream socket (io.shmlink.shm.socket." +
            "ShmSocket), which splits it into messages");
    }

    private static String binary(final long bytes)
    {
        if (bytes >= 1 << 30 && bytes % (1 << 30) == 0)
        {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0)
        {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0)
        {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
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

    final int recordOffset(final long position)
    {
        return RING_OFFSET + ((int)position & mask);
    }

    /**
     * After a commit, prepares the next record where the mode needs it: the SPSC writers zero the header word where
     * the next record of the same length ends ({@code docs/DESIGN.md}, "Claim, write, commit, abort"). A copying
     * send calls it itself; a claim's commit does not, since it may come after this writer's publisher was closed
     * and another attached: the publisher calls it after a claim's commit only while it is open.
     */
    public void zeroAhead()
    {
    }

    /**
     * {@inheritDoc} One release store of the header word, for the reason given in the class comment.
     */
    @Override
    public final void commit(final int recordOffset, final int length)
    {
        checkClaimed(recordOffset, length);
        commitCopied(recordOffset, length, length);
    }

    /**
     * Commits a record this writer claimed and filled itself, so offset and lengths need no check: one release
     * store of the header, for the reason given in the class comment. Fan-out writers commit by CAS instead
     * ({@link #commitUnlessSkipped}).
     *
     * @param recordOffset  of the claimed record.
     * @param claimedLength the message length it was claimed with.
     * @param length        the message length to commit, at most {@code claimedLength}.
     */
    void commitCopied(final int recordOffset, final int claimedLength, final int length)
    {
        UnsafeApi.putLongRelease(null, baseAddress + recordOffset, header(length + HEADER_LENGTH, session));
    }

    /**
     * Fan-out: the commit as one CAS from the claimed header. If a subscriber skipped the claim meanwhile (its mark
     * is there), the CAS fails and the claim lets go of it as an abort does, padding over the mark, so no
     * subscriber delivers what another counted lost (see {@code docs/DESIGN.md}, "Fan-out").
     *
     * @param recordOffset  of the claimed record.
     * @param claimedLength the message length it was claimed with.
     * @param length        the message length to commit, at most {@code claimedLength}.
     */
    final void commitUnlessSkipped(final int recordOffset, final int claimedLength, final int length)
    {
        final long address = baseAddress + recordOffset;
        if (!UnsafeApi.compareAndSetLong(null, address, header(-(claimedLength + HEADER_LENGTH), session),
            header(length + HEADER_LENGTH, session)))
        {
            UnsafeApi.putLongRelease(
                null, address, header(recordLength(claimedLength), PADDING_TYPE));
        }
    }

    /**
     * {@inheritDoc} A padding header over the unused end of the claim (a plain store, when at least one aligned
     * word is unused), then the release store of the shortened header, which orders the padding before it. The
     * padding lies inside the claimed record, which no other party writes or reads while it is claimed; every walk
     * over records (reads, holds, a successor's walk to a stored read position, dead claims) steps from the
     * committed record onto the padding and from there to where the claim ended, as over any padding record.
     */
    @Override
    public final void commit(final int recordOffset, final int claimedLength, final int length)
    {
        checkClaimed(recordOffset, claimedLength);
        if (length < 0 || length > claimedLength)
        {
            throw new IllegalArgumentException("commit of " + length + " bytes of a claim of " + claimedLength);
        }
        final int used = recordLength(length);
        final int unused = recordLength(claimedLength) - used;
        if (unused > 0)
        {
            UnsafeApi.putLong(null, baseAddress + recordOffset + used, header(unused, PADDING_TYPE));
        }
        commitCopied(recordOffset, claimedLength, length);
    }

    /** {@inheritDoc} One release store of a padding header over the claimed one. */
    @Override
    public final void abort(final int recordOffset, final int length)
    {
        checkClaimed(recordOffset, length);
        UnsafeApi.putLongRelease(
            null, baseAddress + recordOffset, header(recordLength(length), PADDING_TYPE));
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
    public final int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * Counts a send refused for want of space, and an episode if the previous send of this writer went through,
     * and says so.
     */
    final long backPressured()
    {
        buffer.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
        if (!backPressureEpisode)
        {
            backPressureEpisode = true;
            buffer.getAndAddLong(BACK_PRESSURE_EPISODES_OFFSET, 1);
        }
        return Publisher.BACK_PRESSURED;
    }

    /** Ends an episode of back-pressure: the next refusal starts another. A read, and no store, when none runs. */
    final void claimed()
    {
        if (backPressureEpisode)
        {
            backPressureEpisode = false;
        }
    }

    /**
     * Reads the head again (acquire) when the cached one says {@code required} bytes from {@code claimed} do not
     * fit, and checks it.
     *
     * @return whether they fit.
     */
    final boolean fits(final long claimed, final long required)
    {
        if (claimed + required - cachedHead() <= capacity)
        {
            return true;
        }
        final long head = releasedPosition();
        checkHead(head, claimed);
        HEAD_CACHE.setRelease(this, head);
        return claimed + required - head <= capacity;
    }

    /**
     * Checks a tail read from the segment before a claim uses it.
     *
     * @param tail the tail as read.
     * @return the tail, 64-aligned and not negative.
     */
    final long checkedTail(final long tail)
    {
        if ((tail & (ALIGNMENT - 1)) != 0 || tail < 0)
        {
            throw segment.corrupt("tail position", tail + " (must be 64-aligned and not negative)");
        }
        return tail;
    }

    /**
     * The head as this writer last read it, with acquire: see {@link #headCache}.
     *
     * @return the cached head.
     */
    final long cachedHead()
    {
        return (long)HEAD_CACHE.getAcquire(this);
    }

    /**
     * Where publishers may write up to, less a ring: the subscriber's head (acquire). Fan-out writers ask the
     * subscribers' gate instead.
     *
     * @return the released position, not yet checked.
     */
    long releasedPosition()
    {
        return UnsafeApi.getLongAcquire(null, baseAddress + HEAD_POSITION_OFFSET);
    }

    /**
     * Checks a head read after the tail {@code claimedTail} was read. The head only grows, so it is at most one
     * ring behind that older tail; it may be ahead of it only where other publishers claimed and the subscriber
     * consumed since (MPMC), and never ahead of the tail as it is now. Fan-out: the released position, the same.
     * MPSC: {@code claimedTail} is where a walk stands, and the tail only a hint, which the head may pass.
     */
    private void checkHead(final long head, final long claimedTail)
    {
        if ((head & (ALIGNMENT - 1)) != 0 || head < 0 || claimedTail - head > capacity ||
            (head > claimedTail && !(this instanceof MpscRingWriter) &&
            (isSingleProducer() || head > buffer.getLongVolatile(TAIL_POSITION_OFFSET))))
        {
            throw segment.corrupt("head position", head + " (tail " + claimedTail + ", capacity " + capacity +
                ": the head must be 64-aligned, at most one ring behind the tail and not ahead of it)");
        }
    }

    private boolean isSingleProducer()
    {
        return this instanceof SpscRingWriter;
    }

    /**
     * Checks head, tail, head read in that order: all 64-aligned, the head not going back, within one ring behind
     * the tail and, unless the tail is only a hint (MPSC), not ahead of it.
     */
    private void checkPositions(
        final long headBefore, final long tail, final long headAfter, final boolean tailIsHint)
    {
        if (((headBefore | tail | headAfter) & (ALIGNMENT - 1)) != 0 || headBefore < 0 || headAfter < headBefore ||
            (headBefore > tail && !tailIsHint) || tail - headAfter > capacity)
        {
            throw segment.corrupt("head/tail position", headBefore + ".." + headAfter + "/" + tail + " (capacity " +
                capacity + ": all 64-aligned, the head not ahead of the tail and within one ring behind it)");
        }
    }
}
