package io.shmlink.shm.ring;

import io.shmlink.api.MessageHandler;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.LongPredicate;

import static io.shmlink.shm.ring.RecordDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.BYTES_CONSUMED_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.CONSUMED_UP_TO_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.MESSAGES_CONSUMED_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUSPECTED_CLAIM_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * The subscribing side of a ring: reads committed records in order, hands messages to the handler, then releases
 * the space.
 * <p>
 * <b>Reading.</b> The record length at the head is read with an acquire load; a positive length means every byte
 * of the record is visible. Each length is checked against the ring and the maximum message length before a byte
 * of the record is read, so garbage in the segment becomes a {@code CorruptChannelException}, never an access
 * outside the mapping. A batch reads at most one ring's worth of bytes, so no value can make it loop forever.
 * <p>
 * <b>Releasing.</b> SPSC: store the head (release); the publisher zeroes the header after each record it
 * writes, so a stale length from the last lap is never read. MPSC (publishers cannot zero ahead: the next
 * header may already be another publisher's): store consumed-up-to (release), zero the batch's bytes, store the
 * head (release). The consumed-up-to mark lets the successor of a subscriber killed while zeroing finish the job
 * instead of parsing half-zeroed records. Either way a subscriber killed inside {@code poll} has not moved the
 * head, so its successor sees that batch again: at-least-once, never a loss.
 * <p>
 * <b>Recovery.</b> A record that stays claimed (negative length) or a gap that stays zero while the tail is past
 * it belongs to a publisher that died, or stalls, between claim and commit. After {@code claimTimeoutNs}, or
 * sooner if the publisher named in the claim is known dead (a zeroed gap names nobody, so it always waits for the
 * timeout), the reader turns it into padding, counts it in the segment's lost-claims counter and goes on. A
 * publisher that was only slow and commits later has lost that message: the timeout must exceed any pause a live
 * publisher can take between claim and commit.
 * <p>
 * MPSC adds a handshake with the publishers' commit (see {@link RingWriter}). When the reader first sees a stall
 * it announces the record's position in the segment ({@code SUSPECTED_CLAIM_POSITION_OFFSET}, a volatile store),
 * and its clock for that stall starts at the next check, from a clock reading taken after the store was made.
 * It skips the record no sooner than the grace after that, dead claimer or zero timeout alike: an offer that read
 * the announcement before it was made commits with a plain store, and the grace is the time that store has to
 * land.
 */
public final class RingReader
{
    /** Empty polls between looks at the clock: a clock read costs about as much as a poll. */
    private static final int CLOCK_CHECK_INTERVAL_MASK = 255;

    /**
     * The most often an idle reader looks at the tail. Reading the publishers' tail line takes it away from
     * them, so their next claim pays a coherence miss: once a millisecond costs nothing measurable, once every
     * few polls would cost every message.
     */
    private static final long STALL_CHECK_INTERVAL_NS = 1_000_000L;

    /** From this many bytes on, consumed space is zeroed by copying from {@link #ZEROS} (see {@link #zeroRange}). */
    private static final int ZERO_COPY_THRESHOLD = 64;

    /** Only ever read: a page of zeros, small enough to stay in the L1 cache while it is copied from. */
    private static final byte[] ZEROS = new byte[4096];

    /**
     * MPSC: the least time between the first clock reading after a stalled record was announced and its skip,
     * whatever the claim timeout (0 included) and even when the claimer is known dead. An offer that read the
     * announcement before it was made commits with a plain store; this is the time that store has to land, so a
     * plain commit reaches skipped space only if its thread stood still this long between two adjacent
     * instructions. Known dead is not proof that nobody commits: a session is also over when its publisher was
     * closed while another of its threads was still offering.
     */
    public static final long SKIP_GRACE_NS = 50_000_000L;

    private final ChannelSegment segment;
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int maxMessageLength;
    private final long claimTimeoutNs;
    private final LongPredicate claimerDead;
    private final boolean zeroOnRelease;
    private final long skipGraceNs;

    /** Raw addresses for the hot path; why they are safe is in {@link RingWriter}'s class comment. */
    private final long ringAddress;
    private final long headAddress;
    private final long consumedUpToAddress;

    /** Only this reader writes the head and the consumption counters, so it keeps its own copies. */
    private long head;
    private long messagesConsumed;
    private long bytesConsumed;

    private int emptyPolls;
    private long nextStallCheckNs;
    private long stallPosition = -1;
    private long stallSinceNs;

    /** MPSC: false from the announcement of the stall at {@link #stallPosition} to the check that starts its clock. */
    private boolean stallClockStarted;

    private LostClaimListener lostClaimListener = LostClaimListener.NONE;

    /**
     * The tail when the stall at {@link #stallPosition} was first seen. A zeroed gap is skipped no further: every
     * claim beyond it was made after the stall was first seen, so it is not the stalled one, even if its header is
     * not written yet.
     */
    private long stallTail;

    /**
     * Attaches to the ring and finishes any release a dead predecessor left half done.
     *
     * @param segment        the mapped channel.
     * @param multiProducer  true for MPSC: the reader zeroes what it consumes and announces stalls, and skips no
     *                       sooner than {@link #SKIP_GRACE_NS} after an announcement; false for SPSC (no grace).
     * @param claimTimeoutNs how long a claimed record may stay uncommitted before it is skipped.
     * @param claimerDead    given a record's type (a publisher session, or 0 for an unattributed gap), whether
     *                       the publisher that claimed it is known to be dead.
     */
    public RingReader(
        final ChannelSegment segment,
        final boolean multiProducer,
        final long claimTimeoutNs,
        final LongPredicate claimerDead)
    {
        this(segment, multiProducer, claimTimeoutNs, multiProducer ? SKIP_GRACE_NS : 0, claimerDead);
    }

    /**
     * Attaches to the ring with a skip grace other than {@link #SKIP_GRACE_NS}: for tests that drive the stall
     * checks with explicit times.
     *
     * @param segment        the mapped channel.
     * @param multiProducer  true for MPSC: the reader zeroes what it consumes and announces stalls.
     * @param claimTimeoutNs how long a claimed record may stay uncommitted before it is skipped.
     * @param skipGraceNs    the least time between the check after an MPSC stall's announcement and its skip.
     * @param claimerDead    given a record's type (a publisher session, or 0 for an unattributed gap), whether
     *                       the publisher that claimed it is known to be dead.
     */
    public RingReader(
        final ChannelSegment segment,
        final boolean multiProducer,
        final long claimTimeoutNs,
        final long skipGraceNs,
        final LongPredicate claimerDead)
    {
        this.zeroOnRelease = multiProducer;
        this.segment = segment;
        this.buffer = segment.buffer();
        this.capacity = segment.config().capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = segment.config().maxMessageLength();
        this.claimTimeoutNs = claimTimeoutNs;
        this.claimerDead = claimerDead;
        this.skipGraceNs = skipGraceNs;
        this.nextStallCheckNs = System.nanoTime();
        this.ringAddress = segment.address() + RING_OFFSET;
        this.headAddress = segment.address() + HEAD_POSITION_OFFSET;
        this.consumedUpToAddress = segment.address() + CONSUMED_UP_TO_OFFSET;

        final long storedHead = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        final long tail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
        checkPosition("head position", storedHead, tail);
        messagesConsumed = buffer.getLongVolatile(MESSAGES_CONSUMED_OFFSET);
        bytesConsumed = buffer.getLongVolatile(BYTES_CONSUMED_OFFSET);
        final long consumedUpTo = buffer.getLongAcquire(CONSUMED_UP_TO_OFFSET);
        if (multiProducer && consumedUpTo > storedHead)
        {
            checkPosition("consumed-up-to position", consumedUpTo, tail);
            release(storedHead, (int)(consumedUpTo - storedHead));
        }
        else
        {
            head = storedHead;
        }
    }

    /**
     * Sets who is told of lost claims; {@link LostClaimListener#NONE} until then.
     *
     * @param listener called on the polling thread after each skip.
     */
    public void lostClaimListener(final LostClaimListener listener)
    {
        this.lostClaimListener = listener;
    }

    /**
     * Hands up to {@code messageLimit} committed messages to the handler.
     *
     * @param handler      receives each message.
     * @param messageLimit the most messages to deliver.
     * @return messages delivered.
     */
    public int read(final MessageHandler handler, final int messageLimit)
    {
        // Kept under HotSpot's inlining limit for hot methods (325 bytecodes): failures are built out of line.
        // The head is 8-aligned (checked at attach) and every step is an aligned length, so each index leaves room
        // for a header; a length is bounded to the ring before any byte behind it is read.
        final long head = this.head;
        final long ring = ringAddress;
        final int headIndex = (int)head & mask;
        int bytesRead = 0;
        int messages = 0;
        long payloadBytes = 0;
        try
        {
            while (messages < messageLimit && bytesRead < capacity)
            {
                final int index = (headIndex + bytesRead) & mask;
                final int frameLength = UnsafeApi.getIntAcquire(null, ring + index + LENGTH_OFFSET);
                if (frameLength <= 0)
                {
                    break;
                }
                // Bounded before it is aligned: aligning a length near Integer.MAX_VALUE would overflow.
                if (frameLength < HEADER_LENGTH || frameLength > capacity - index)
                {
                    throw badRecordLength(frameLength, head + bytesRead);
                }
                final boolean isMessage = UnsafeApi.getInt(null, ring + index + TYPE_OFFSET) != PADDING_TYPE;
                final int length = frameLength - HEADER_LENGTH;
                if (isMessage && length > maxMessageLength)
                {
                    throw badRecordLength(frameLength, head + bytesRead);
                }
                bytesRead += align(frameLength, ALIGNMENT);
                if (isMessage)
                {
                    ++messages;
                    payloadBytes += length;
                    handler.onMessage(buffer, RING_OFFSET + index + HEADER_LENGTH, length);
                }
            }
        }
        finally
        {
            if (bytesRead > 0)
            {
                consumed(head, bytesRead, messages, payloadBytes);
            }
        }

        if (bytesRead == 0 && (++emptyPolls & CLOCK_CHECK_INTERVAL_MASK) == 0)
        {
            checkForStalledClaimIfDue();
        }
        return messages;
    }

    /**
     * Looks for a stalled claim if the last look was {@link #STALL_CHECK_INTERVAL_NS} ago or more. {@link #read}
     * calls it every 256 empty polls; a subscriber that sleeps between polls calls it after each sleep as well, or
     * the three looks an MPSC skip takes (announce, start the clock, skip) would take it seconds of 10 ms sleeps.
     * Not on every empty poll of a spinning subscriber: a clock read costs about as much as a poll.
     */
    public void checkForStalledClaimIfDue()
    {
        final long now = System.nanoTime();
        if (now - nextStallCheckNs >= 0)
        {
            nextStallCheckNs = now + STALL_CHECK_INTERVAL_NS;
            checkForStalledClaim(now);
        }
    }

    private RuntimeException badRecordLength(final int frameLength, final long position)
    {
        final int index = (int)position & mask;
        return segment.corrupt("record length", frameLength + " at position " + position + " (index " + index +
            " of a " + capacity + "-byte ring: a record is " + HEADER_LENGTH + " to " +
            (HEADER_LENGTH + maxMessageLength) + " bytes, padding may be longer, and it ends inside the ring;" +
            " a message of " + (frameLength - HEADER_LENGTH) + " bytes exceeds the maximum " + maxMessageLength +
            " if that is the case)");
    }

    /**
     * Copies the consumption counters into the segment for statistics. They are kept in this reader's fields on
     * the hot path and published from here, by the liveness thread every 100 ms and at close, so a poll stores
     * nothing but the head. A reader killed in between loses at most that long of counting, never a message.
     * Called from another thread than the polling one: the fields are read racily, which is fine for counters
     * that only grow.
     */
    public void publishCounters()
    {
        buffer.putLongRelease(MESSAGES_CONSUMED_OFFSET, messagesConsumed);
        buffer.putLongRelease(BYTES_CONSUMED_OFFSET, bytesConsumed);
    }

    /**
     * The position after the last consumed record.
     *
     * @return the head position.
     */
    public long position()
    {
        return head;
    }

    /**
     * Looks at the head for a claim that is not being committed, and skips it if its time is up. Runs at most
     * once per {@link #STALL_CHECK_INTERVAL_NS} from an empty poll. The claimer's liveness (which reads
     * {@code /proc} and allocates) is asked only once the same stall was seen before (MPSC: and the grace since
     * its announcement has passed), so an ordinary record caught mid-write never pays for it.
     *
     * @param now {@link System#nanoTime()}, read after the previous call returned.
     */
    public void checkForStalledClaim(final long now)
    {
        final long head = this.head;
        final long tail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
        if (tail == head)
        {
            stallPosition = -1;
            return;
        }
        checkPosition("head position", head, tail);
        final int recordOffset = RING_OFFSET + ((int)head & mask);
        final int frameLength = buffer.getIntAcquire(recordOffset + LENGTH_OFFSET);
        if (frameLength > 0)
        {
            return;
        }
        if (stallPosition != head)
        {
            stallPosition = head;
            stallTail = tail;
            stallSinceNs = now;
            stallClockStarted = !zeroOnRelease;
            if (zeroOnRelease)
            {
                // Volatile, so the store is globally visible before this thread goes on. The grace is counted from
                // the next check's clock reading, which comes at least STALL_CHECK_INTERVAL_NS later: that, not an
                // ordering between a store and System.nanoTime (which the memory model does not give), is what
                // puts the grace after the store.
                buffer.putLongVolatile(SUSPECTED_CLAIM_POSITION_OFFSET, announcement(head, tail, frameLength));
            }
            return;
        }
        if (!stallClockStarted)
        {
            // This call's clock was read after the announcement was stored (the caller read it after the last call
            // returned); the first call's may have been read long before, had its thread been preempted in between.
            stallSinceNs = now;
            stallClockStarted = true;
        }
        final long stalledFor = now - stallSinceNs;
        if (stalledFor < skipGraceNs)
        {
            return;
        }
        // A claim's type is its claimer's session, stored before the claim's length was (release), so it is
        // there to read now; a zeroed gap names nobody.
        final int claimer = frameLength < 0 ? buffer.getInt(recordOffset + TYPE_OFFSET) : 0;
        if (stalledFor >= claimTimeoutNs || claimerDead.test(claimer))
        {
            skipStalledClaim(head, tail, recordOffset, frameLength, claimer);
        }
    }

    /**
     * The position to announce for a stall at {@code head}: the highest position a skip of it may cover. A claimed
     * record covers only itself; a zeroed gap may swallow claims after the dead one whose headers are not written
     * yet, up to the tail seen now or the end of the ring (see {@link #skipStalledClaim}), and each of those must
     * commit with a CAS too. Never below the head, and every skipped record lies below the head afterwards, so
     * once a record is skipped every later announcement is above it.
     */
    private long announcement(final long head, final long tail, final int frameLength)
    {
        if (frameLength < 0)
        {
            return head;
        }
        return head + Math.min(tail - head, capacity - ((int)head & mask)) - ALIGNMENT;
    }

    private void skipStalledClaim(
        final long head, final long tail, final int recordOffset, final int frameLength, final int claimer)
    {
        final int index = (int)head & mask;
        final int skipLength;
        if (frameLength < 0)
        {
            // -frameLength is negative for Integer.MIN_VALUE, and aligning a value near Integer.MAX_VALUE would
            // overflow: both are caught by bounding the claim before it is aligned.
            if (-frameLength < HEADER_LENGTH || -frameLength > capacity - index || -frameLength > tail - head)
            {
                throw segment.corrupt("record length", frameLength + " at position " + head +
                    " (a claim must be >= " + HEADER_LENGTH + " bytes, end inside the ring and before the tail " +
                    tail + ")");
            }
            skipLength = align(-frameLength, ALIGNMENT); // positions are 8-aligned, so this stays within both
        }
        else if (!zeroOnRelease)
        {
            throw segment.corrupt("record length", "0 at position " + head + " below the tail " + tail +
                " (an SPSC publisher writes the header before it advances the tail)");
        }
        else
        {
            // The publisher advanced the tail and died before writing a header: the gap runs to the next
            // non-zero header, the tail as it was when the stall was first seen, or the end of the ring, whichever
            // comes first. Not to the tail as it is now: a publisher that claimed the space after the gap since
            // may not have written its header yet, and its record would be swallowed (and its payload, landing
            // while the gap is scanned, read as a header).
            final long limit = Math.min(stallTail - head, capacity - index);
            int gap = ALIGNMENT;
            while (gap < limit && buffer.getIntVolatile(recordOffset + gap + LENGTH_OFFSET) == 0)
            {
                gap += ALIGNMENT;
            }
            skipLength = gap;
        }
        // The length goes first, by CAS: if the publisher commits now after all, its record stands and is read.
        // Only this thread reads the ring, so nobody sees the length before the type is set to padding.
        if (buffer.compareAndSetInt(recordOffset + LENGTH_OFFSET, frameLength, skipLength))
        {
            buffer.putInt(recordOffset + TYPE_OFFSET, PADDING_TYPE);
            buffer.getAndAddLong(LOST_CLAIMS_OFFSET, 1);
            stallPosition = -1;
            lostClaimListener.onLostClaim(head, skipLength, claimer);
        }
    }

    /** Counts a poll's messages and releases its bytes: out of {@link #read} to keep that under the inlining limit. */
    private void consumed(final long head, final int bytesRead, final int messages, final long payloadBytes)
    {
        messagesConsumed += messages;
        bytesConsumed += payloadBytes;
        release(head, bytesRead);
    }

    private void release(final long head, final int bytesRead)
    {
        final long newHead = head + bytesRead;
        if (zeroOnRelease)
        {
            UnsafeApi.putLongRelease(null, consumedUpToAddress, newHead);
            zero(head, bytesRead);
        }
        UnsafeApi.putLongRelease(null, headAddress, newHead);
        this.head = newHead;
    }

    /**
     * Zeroes {@code bytesRead <= capacity} bytes from the head's index, in two parts if they wrap.
     */
    private void zero(final long head, final int bytesRead)
    {
        final int index = (int)head & mask;
        final int firstPart = Math.min(bytesRead, capacity - index);
        zeroRange(index, firstPart);
        if (bytesRead > firstPart)
        {
            zeroRange(0, bytesRead - firstPart);
        }
    }

    /**
     * Never by {@code Unsafe.setMemory}: Java 17's C2 does not compile it inline, so it is a native call that
     * stores one long at a time, and it cost a short message more than the whole rest of its poll. Nor by Agrona's
     * {@code setMemory}: too big for C2 to inline into the poll, it stays a call with a bounds check and a byte
     * pattern to build, and the raw loop of long stores that replaced it took MPSC 32 B offer+poll from 20 to 24
     * ops/us (6 interleaved rounds, median ratio 1.26). A range from {@link #ZERO_COPY_THRESHOLD} on is copied from
     * {@link #ZEROS} with {@code Unsafe.copyMemory}, which C2 compiles to its vectorised array-copy stub: 25
     * instead of 18 MPSC 1 KiB offer+polls per microsecond. The raw stores stay in the ring because {@link #zero}
     * splits at the ring end, so {@code index + length <= capacity}; both are multiples of 8 (positions and
     * record lengths are 8-aligned), so the long stores end exactly at the range's end.
     */
    private void zeroRange(final int index, final int length)
    {
        if (length < ZERO_COPY_THRESHOLD)
        {
            final long start = ringAddress + index;
            for (int offset = 0; offset < length; offset += ALIGNMENT)
            {
                UnsafeApi.putLong(null, start + offset, 0L);
            }
            return;
        }
        long address = ringAddress + index;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, ZEROS.length);
            UnsafeApi.copyMemory(ZEROS, BufferUtil.ARRAY_BASE_OFFSET, null, address, chunk);
            address += chunk;
            remaining -= chunk;
        }
    }

    private void checkPosition(final String field, final long position, final long tail)
    {
        if (((position | tail) & (ALIGNMENT - 1)) != 0 || position < 0 || position > tail ||
            tail - position > capacity)
        {
            throw segment.corrupt(field, position + " (tail " + tail + ", capacity " + capacity +
                ": positions must be 8-aligned and within one ring behind the tail)");
        }
    }
}
