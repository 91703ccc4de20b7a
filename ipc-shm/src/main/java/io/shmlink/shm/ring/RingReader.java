package io.shmlink.shm.ring;

import io.shmlink.api.MessageHandler;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import io.shmlink.api.SubscriberEvictedException;
import io.shmlink.shm.segment.FanOutDescriptor;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static io.shmlink.shm.ring.RecordDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.BYTES_CONSUMED_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.CONSUMED_UP_TO_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.MESSAGES_CONSUMED_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.READ_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * The subscribing side of a ring: reads committed records in order, hands messages to the handler, then releases
 * the space. The protocol is drawn in {@code docs/DESIGN.md}; this comment gives the contract.
 * <ul>
 *   <li><b>Reading.</b> The header word at the read position is read with an acquire load; a positive frame length
 *   means every byte of the record is visible. Each length is bounded to the ring and the maximum message length
 *   before a byte behind it is read, so garbage in the segment is a {@code CorruptChannelException}, never an
 *   access outside the mapping; a batch reads at most one ring, so no value can make it loop forever.</li>
 *   <li><b>Releasing.</b> SPSC: store the head (release); the publisher zeroes the header after each record it
 *   writes. MPSC: store consumed-up-to (release), mark the bytes free for their next lap ({@link FreeSpace}),
 *   store the head (release); a successor of a subscriber killed while marking finishes the marking. A
 *   subscriber killed inside {@code poll} has not moved the head, so its successor sees that batch again:
 *   at-least-once, never a loss.</li>
 *   <li><b>Skipping.</b> {@link #unblock} skips the claim (or, MPMC, the gap) that holds the reader up, whenever it
 *   is called: when to call it is {@link StallDetector}'s policy, as Agrona leaves the timing of
 *   {@code ManyToOneRingBuffer.unblock()} to its caller. The claim is skipped by one CAS of its header word and
 *   counted in the segment's lost claims. SPSC turns it into padding. MPSC marks it skipped and <i>holds</i> the
 *   release there: later records are still delivered, but no space from the skipped record on is marked or handed
 *   back to publishers until its claimer lets go (its late commit or abort overwrites the mark) or its process is
 *   known dead. A paused claimer that wakes thus finds its own record and nothing else, and a subscriber killed
 *   at any step leaves either the claim or the mark for its successor, which acts the same.</li>
 * </ul>
 * Used by one thread at a time, but for {@link #publishCounters}.
 */
public final class RingReader
{
    /**
     * What {@link #blockingHeader} returns when nothing holds the reader up: a frame length of 1, which no header
     * that blocks can have (a claim's is negative, a free word's and a zeroed word's 0; a free word may even be 0).
     */
    public static final long NOTHING_BLOCKS = 1;

    private final ChannelSegment segment;
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int maxMessageLength;
    private final boolean multiPublisher;

    /**
     * MPSC: the tail is only a hint of where the records end (see {@link MpscRingWriter}), which the head may pass
     * after a claimer died before storing it; the records and free words say where they end, and no gap exists.
     */
    private final boolean tailIsHint;

    /** MPSC: marks released space free for its next lap; null where publishers do (MPMC) or need not (SPSC, SPMC). */
    private final FreeSpace freeSpace;
    private final int capacityShift;

    /** Raw addresses for the hot path; why they are safe is in {@link RingWriter}'s class comment. */
    private final long ringAddress;
    private final long headAddress;
    private final long consumedUpToAddress;
    private final long readPositionAddress;
    private final int messagesConsumedOffset;
    private final int bytesConsumedOffset;

    /**
     * What a queue's reader checks in place of an attachment word, where the stall path asks: a word of this
     * process's own memory that nothing writes. (Its read loop checks nothing; see {@link #readFanOut}.)
     */
    private static final UnsafeBuffer NEVER_EVICTED = new UnsafeBuffer(ByteBuffer.allocateDirect(Long.BYTES));
    private static final long NEVER_EVICTED_VALUE = 1;

    static
    {
        NEVER_EVICTED.putLongVolatile(0, NEVER_EVICTED_VALUE);
    }

    /**
     * Checked before and after each message is handed over: fan-out, this subscriber's attachment word, which an
     * eviction changes (publishers then overwrite what it has not read); otherwise {@link #NEVER_EVICTED}.
     */
    private final long attachmentAddress;
    private final long attachment;

    /** Fan-out: the offset of this subscriber's slot; -1 otherwise. */
    private final int slotOffset;

    /** Only this reader writes the head and the consumption counters, so it keeps its own copies. */
    private long head;

    /** Where the next record is read: the head, or beyond it while a skipped claim holds the release. */
    private long readPosition;

    /** MPSC: the position of the skipped claim the release waits at (the head), or -1 when none holds it. */
    private long heldAt = -1;

    /** The header word of the skipped claim at {@link #heldAt}: the claimer lets go by overwriting it. */
    private long heldHeader;
    private long messagesConsumed;
    private long bytesConsumed;

    private LostClaimListener lostClaimListener = LostClaimListener.NONE;

    /**
     * Attaches to the ring and finishes any release a dead predecessor left half done.
     *
     * @param segment       the mapped channel.
     * @param multiPublisher true for MPSC: the reader marks what it releases free for its next lap.
     */
    public RingReader(final ChannelSegment segment, final boolean multiPublisher)
    {
        this.multiPublisher = multiPublisher;
        this.tailIsHint = multiPublisher;
        this.segment = segment;
        this.buffer = segment.buffer();
        this.capacity = segment.config().capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = segment.config().maxMessageLength();
        this.ringAddress = segment.address() + RING_OFFSET;
        this.headAddress = segment.address() + HEAD_POSITION_OFFSET;
        this.consumedUpToAddress = segment.address() + CONSUMED_UP_TO_OFFSET;
        this.readPositionAddress = segment.address() + READ_POSITION_OFFSET;
        this.messagesConsumedOffset = MESSAGES_CONSUMED_OFFSET;
        this.bytesConsumedOffset = BYTES_CONSUMED_OFFSET;
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
        this.freeSpace = multiPublisher ? new FreeSpace(ringAddress, capacity) : null;
        this.attachmentAddress = NEVER_EVICTED.addressOffset();
        this.attachment = NEVER_EVICTED_VALUE;
        this.slotOffset = -1;

        final long storedHead = buffer.getLongAcquire(HEAD_POSITION_OFFSET);
        final long tail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
        checkPosition("head position", storedHead, tail);
        messagesConsumed = buffer.getLongVolatile(MESSAGES_CONSUMED_OFFSET);
        bytesConsumed = buffer.getLongVolatile(BYTES_CONSUMED_OFFSET);
        final long consumedUpTo = buffer.getLongAcquire(CONSUMED_UP_TO_OFFSET);
        head = storedHead;
        if (multiPublisher && consumedUpTo > storedHead)
        {
            checkPosition("consumed-up-to position", consumedUpTo, tail);
            release(consumedUpTo);
        }
        // A predecessor that read past a held claim wrote down how far: start there, not at the head, and hold
        // again at the first claim still marked (or release all of it, if every claimer let go meanwhile).
        final long storedRead = buffer.getLongAcquire(READ_POSITION_OFFSET);
        readPosition = head;
        if (storedRead > head)
        {
            checkPosition("read position", storedRead, tail);
            if (storedRead - head > capacity)
            {
                throw corrupt("read position", storedRead + " (head " + head + ", capacity " + capacity +
                    ": at most one ring ahead of the head)");
            }
            readPosition = storedRead;
            holdOrRelease(head);
        }
    }

    /**
     * Attaches a fan-out subscriber (SPMC, MPMC) to the ring at {@code start}, reading and letting go through its
     * own slot: its head there gates the publishers, and it marks nothing free (see {@link FanOutGate}).
     *
     * @param segment    the mapped fan-out channel.
     * @param slot       the subscriber slot this reader holds.
     * @param attachment the slot's attachment word as this subscriber took it; a change means it was evicted.
     * @param start      the position to read from: the tail as read after the head was stored at attach.
     */
    public RingReader(final ChannelSegment segment, final int slot, final long attachment, final long start)
    {
        this.multiPublisher = segment.config().mode().isMultiPublisher();
        this.tailIsHint = false;
        this.segment = segment;
        this.buffer = segment.buffer();
        this.capacity = segment.config().capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = segment.config().maxMessageLength();
        this.ringAddress = segment.address() + RING_OFFSET;
        this.slotOffset = FanOutDescriptor.slotOffset(capacity, slot);
        this.headAddress = segment.address() + slotOffset + FanOutDescriptor.SLOT_HEAD_OFFSET;
        this.consumedUpToAddress = headAddress;
        this.readPositionAddress = segment.address() + slotOffset + FanOutDescriptor.SLOT_READ_POSITION_OFFSET;
        this.messagesConsumedOffset = slotOffset + FanOutDescriptor.SLOT_MESSAGES_OFFSET;
        this.bytesConsumedOffset = slotOffset + FanOutDescriptor.SLOT_BYTES_OFFSET;
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
        this.freeSpace = null;
        this.attachmentAddress = segment.address() + slotOffset + FanOutDescriptor.SLOT_ATTACHMENT_OFFSET;
        this.attachment = attachment;
        final long tail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
        checkPosition("start position", start, tail);
        messagesConsumed = buffer.getLongVolatile(messagesConsumedOffset);
        bytesConsumed = buffer.getLongVolatile(bytesConsumedOffset);
        head = start;
        readPosition = start;
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
        // Kept under HotSpot's inlining limit for hot methods (325 bytecodes): failures and holds are handled out
        // of line. The read position is 64-aligned (checked at attach) and every step is an aligned length, so each
        // index leaves room for a header; a length is bounded to the ring before any byte behind it is read.
        final long start = this.readPosition;
        final long ring = ringAddress;
        final int startIndex = (int)start & mask;
        // At most up to a ring past the head: while a skipped claim holds the release, what lies there is this
        // reader's own unreleased past, not free space
        final int limit = capacity - (int)(start - head);
        int bytesRead = 0;
        int messages = 0;
        long payloadBytes = 0;
        try
        {
            while (messages < messageLimit && bytesRead < limit)
            {
                final int index = (startIndex + bytesRead) & mask;
                final long header = UnsafeApi.getLongAcquire(null, ring + index);
                final int frameLength = (int)header;
                if (frameLength <= 0)
                {
                    break;
                }
                // Bounded before it is aligned: aligning a length near Integer.MAX_VALUE would overflow.
                if (frameLength < HEADER_LENGTH || frameLength > capacity - index)
                {
                    throw badRecordLength(frameLength, start + bytesRead);
                }
                final int type = (int)(header >> 32);
                final int length = frameLength - HEADER_LENGTH;
                if (type >= 0 && length > maxMessageLength)
                {
                    throw badRecordLength(frameLength, start + bytesRead);
                }
                if (type < PADDING_TYPE)
                {
                    skippedClaimRead(start + bytesRead, header);
                }
                // counted before the handler runs: a handler that throws has consumed its message
                bytesRead += align(frameLength, ALIGNMENT);
                if (type >= 0)
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
                consumed(start, bytesRead, messages, payloadBytes);
            }
        }
        return messages;
    }

    /**
     * Fan-out: {@link #read}, checking before and after each message that this subscriber was not evicted (see
     * {@code docs/DESIGN.md}, "Fan-out").
     *
     * @param handler      receives each message.
     * @param messageLimit the most messages to deliver.
     * @return messages delivered.
     * @throws SubscriberEvictedException if this subscriber was evicted: before a message, which is then not handed
     *                                    over, or after one, which may have been overwritten while the handler ran.
     */
    public int readFanOut(final MessageHandler handler, final int messageLimit)
    {
        // read()'s loop, with this subscriber's attachment word checked before each message is handed over (a record
        // read after an eviction may be a later lap's) and after (the handler's reads may have met an overwrite).
        // A loop of its own, so that a queue's reader pays neither check.
        final long start = this.readPosition;
        final long ring = ringAddress;
        final int startIndex = (int)start & mask;
        // At most up to a ring past the head: while a skipped claim holds the release, what lies there is this
        // reader's own unreleased past, not free space
        final int limit = capacity - (int)(start - head);
        int bytesRead = 0;
        int messages = 0;
        long payloadBytes = 0;
        try
        {
            while (messages < messageLimit && bytesRead < limit)
            {
                final int index = (startIndex + bytesRead) & mask;
                final long header = UnsafeApi.getLongAcquire(null, ring + index);
                final int frameLength = (int)header;
                if (frameLength <= 0)
                {
                    break;
                }
                // Bounded before it is aligned: aligning a length near Integer.MAX_VALUE would overflow.
                if (frameLength < HEADER_LENGTH || frameLength > capacity - index)
                {
                    throw badRecordLength(frameLength, start + bytesRead);
                }
                final int type = (int)(header >> 32);
                final int length = frameLength - HEADER_LENGTH;
                if ((type >= 0 && length > maxMessageLength) ||
                    UnsafeApi.getLong(null, attachmentAddress) != attachment)
                {
                    throw badRecordLength(frameLength, start + bytesRead);
                }
                if (type < PADDING_TYPE)
                {
                    skippedClaimRead(start + bytesRead, header);
                }
                // counted before the handler runs: a handler that throws has consumed its message
                bytesRead += align(frameLength, ALIGNMENT);
                if (type >= 0)
                {
                    ++messages;
                    payloadBytes += length;
                    handler.onMessage(buffer, RING_OFFSET + index + HEADER_LENGTH, length);
                    VarHandle.loadLoadFence(); // the handler's reads of the message come before the check
                    if (UnsafeApi.getLong(null, attachmentAddress) != attachment)
                    {
                        throw evicted(true);
                    }
                }
            }
        }
        finally
        {
            if (bytesRead > 0)
            {
                consumed(start, bytesRead, messages, payloadBytes);
            }
        }
        return messages;
    }

    private RuntimeException badRecordLength(final int frameLength, final long position)
    {
        final int index = (int)position & mask;
        return corrupt("record length", frameLength + " at position " + position + " (index " + index +
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
        buffer.putLongRelease(messagesConsumedOffset, messagesConsumed);
        buffer.putLongRelease(bytesConsumedOffset, bytesConsumed);
    }

    /**
     * Fan-out: throws if this reader's subscriber was evicted. Called as a poll begins, so that an evicted
     * subscriber hears of it even when its next record is not readable.
     *
     * @throws SubscriberEvictedException if it was.
     */
    public void checkAttached()
    {
        if (isEvicted())
        {
            throw evicted(false);
        }
    }

    /**
     * Whether this reader's subscriber was evicted.
     *
     * @return true once the attachment word is not the one it attached with.
     */
    public boolean isEvicted()
    {
        return UnsafeApi.getLongVolatile(null, attachmentAddress) != attachment;
    }

    /**
     * A corrupt value read from the ring, unless this reader was evicted: then publishers overwrote what it was
     * reading, and that is what the value shows.
     */
    private RuntimeException corrupt(final String field, final String value)
    {
        if (isEvicted())
        {
            return evicted(false);
        }
        return segment.corrupt(field, value);
    }

    private SubscriberEvictedException evicted(final boolean afterHandler)
    {
        final long lag = slotOffset < 0 ? 0 :
            buffer.getLongVolatile(slotOffset + FanOutDescriptor.SLOT_EVICTION_LAG_OFFSET);
        final long timeout = buffer.getLongVolatile(
            FanOutDescriptor.regionOffset(capacity) + FanOutDescriptor.SLOW_SUBSCRIBER_TIMEOUT_OFFSET);
        return new SubscriberEvictedException("subscriber of channel '" + segment.name() + "' (" + segment.file() +
            ") was evicted: it held the publishers back for longer than the slow-subscriber timeout of " + timeout +
            " ms, " + lag + " bytes behind the tail, and they went on without it" + (afterHandler ?
            "; the message just handed to the handler may have been overwritten while it ran" : "") +
            "; close it and attach again to receive new messages");
    }

    /**
     * The position after the last record read: messages before it were delivered (or skipped).
     *
     * @return the read position.
     */
    public long position()
    {
        return readPosition;
    }

    /**
     * The position up to which space was handed back to publishers; behind {@link #position()} only while a
     * skipped claim holds the release.
     *
     * @return the head position.
     */
    public long headPosition()
    {
        return head;
    }

    /**
     * The tail as publishers last stored it (acquire): MPSC, only a hint of where the records end. Reading it takes
     * the publishers' tail line away from them, so it is read on the stall-check path only, never per poll.
     *
     * @return the tail position.
     */
    public long tail()
    {
        return buffer.getLongAcquire(TAIL_POSITION_OFFSET);
    }

    /**
     * What holds this reader up at its read position, if anything: a claim not yet committed (a negative frame
     * length; its type names the claimer's session); MPMC, a gap whose claimer has not written its header yet (the
     * free word of this lap); SPSC, a zero word below the tail, which no publisher leaves (its header is written
     * before the tail moves), so that {@link #unblock} reports it as corrupt once its time is up.
     *
     * @param tail the tail, read by {@link #tail()} after the last read.
     * @return that header word, or {@link #NOTHING_BLOCKS} if the read position is at the tail or its record is
     * committed.
     */
    public long blockingHeader(final long tail)
    {
        final long position = readPosition;
        if (tailIsHint)
        {
            return claimAt(position);
        }
        if (tail == position)
        {
            return NOTHING_BLOCKS;
        }
        checkPosition("read position", position, tail);
        final long header = buffer.getLongVolatile(RING_OFFSET + ((int)position & mask));
        final int frameLength = frameLength(header);
        if (frameLength > 0)
        {
            return NOTHING_BLOCKS;
        }
        if (frameLength == 0 && multiPublisher && header != FreeWord.of(position, capacityShift))
        {
            throw notFreeWord(position, header, " below the tail " + tail);
        }
        return header;
    }

    /**
     * MPSC: the claim at the read position, if one is there; a committed record or the free word of this lap (the
     * end of the records) holds nothing up. The tail is stored after the header CAS of the claim it follows, so a
     * tail read past a free word that is still free when read again is not a claim in flight: it is corrupt.
     */
    private long claimAt(final long position)
    {
        final int recordOffset = RING_OFFSET + ((int)position & mask);
        final long header = buffer.getLongVolatile(recordOffset);
        final int frameLength = frameLength(header);
        if (frameLength < 0)
        {
            return header;
        }
        if (frameLength == 0)
        {
            final long free = FreeWord.of(position, capacityShift);
            if (header != free)
            {
                throw notFreeWord(position, header, "");
            }
            final long tail = buffer.getLongAcquire(TAIL_POSITION_OFFSET);
            if (tail > position && buffer.getLongVolatile(recordOffset) == free)
            {
                throw corrupt("tail position", tail + " (past the end of the records at " + position + ")");
            }
        }
        return NOTHING_BLOCKS;
    }

    /**
     * A header word of frame length 0 in a multi-publisher ring that is not the free word of its position's lap.
     *
     * @param where what the message adds after the position.
     */
    private RuntimeException notFreeWord(final long position, final long header, final String where)
    {
        return corrupt("record header", "0x" + Long.toHexString(header) + " at position " + position + where +
            " (neither a record nor the free word of this lap)");
    }

    /**
     * Skips the claim or gap that holds this reader up at its read position, now, whatever the claim's age: the
     * policy-free step that {@link StallDetector} calls when its policy says so, as Agrona's {@code unblock()}.
     * A claimed record: one CAS of its header word to skipped (MPSC, held until its claimer lets go) or to padding
     * (SPSC). A gap whose claimer never wrote its header (MPMC): see {@link #skipGap}. Either way the reader steps
     * past the skipped space at once, so a late commit that lands before the next read cannot deliver a message
     * already counted lost. (A successor of this reader starts at the head and may deliver it: at-least-once.)
     *
     * @param tailBound the tail when the stall was first seen: a gap is skipped no further, since every claim
     *                  beyond it was made after that and is not the stalled one, even if its header is not written.
     * @return whether something was skipped; false if the record was committed (or aborted) meanwhile.
     */
    public boolean unblock(final long tailBound)
    {
        final long position = readPosition;
        final long header = blockingHeader(tailBound);
        if (header == NOTHING_BLOCKS)
        {
            return false;
        }
        final int recordOffset = RING_OFFSET + ((int)position & mask);
        final int frameLength = frameLength(header);
        if (frameLength == 0)
        {
            if (!multiPublisher)
            {
                throw corrupt("record length", "0 at position " + position + " below the tail " +
                    tailBound + " (an SPSC publisher writes the header before it advances the tail)");
            }
            return skipGap(position, recordOffset, tailBound);
        }
        // -frameLength is negative for Integer.MIN_VALUE, and aligning a value near Integer.MAX_VALUE would
        // overflow: both are caught by bounding the claim before it is aligned.
        if (-frameLength < HEADER_LENGTH || -frameLength > capacity - ((int)position & mask) ||
            -frameLength > maxMessageLength + HEADER_LENGTH || (!tailIsHint && -frameLength > tailBound - position) ||
            -frameLength > head + capacity - position)
        {
            throw corrupt("record length", frameLength + " at position " + position +
                " (a claim must be " + HEADER_LENGTH + " to " + (maxMessageLength + HEADER_LENGTH) +
                " bytes, end inside the ring and before the tail " + tailBound + ")");
        }
        final int skipLength = align(-frameLength, ALIGNMENT); // positions are 64-aligned: stays within both
        final int claimer = type(header);
        final long skipped = header(skipLength, claimer > 0 ? skippedType(claimer) : PADDING_TYPE);
        // Fan-out: an evicted subscriber may be a lap behind, where the same header may stand for a later claim, and
        // skips nothing. Publishers pass a subscriber only once it is evicted, so a tail read first that shows a
        // lap gone by comes with the eviction showing in the attachment word read after it.
        if (slotOffset >= 0 && buffer.getLongVolatile(TAIL_POSITION_OFFSET) - position > capacity)
        {
            checkAttached();
            throw corrupt("read position", position + " (more than a ring behind the tail of a subscriber not" +
                " evicted)");
        }
        checkAttached();
        if (!buffer.compareAndSetLong(recordOffset, header, skipped))
        {
            return false;
        }
        if (isEvicted())
        {
            // evicted in the instructions between the look and the CAS, which may then have hit a later lap's
            // claim: put it back; if its claimer's commit found the mark meanwhile, it let go: a lost claim
            if (!buffer.compareAndSetLong(recordOffset, skipped, header))
            {
                buffer.getAndAddLong(LOST_CLAIMS_OFFSET, 1);
            }
            throw evicted(false);
        }
        if (isSkipped(type(skipped)))
        {
            skippedClaimRead(position, skipped);
        }
        stepPastLostClaim(position, skipLength, claimer);
        return true;
    }

    /**
     * MPMC: the publisher that advanced the tail over this space has not written its header. Each free word of
     * the gap is taken by a CAS to a one-line padding record, up to the first word that is not free (the claimer
     * or a later one wrote a header there), the tail seen when the stall was first seen, or the end of the ring. A
     * claimer that wakes after its word was taken finds its header CAS failing and claims again; none of this
     * space is held, since nobody can write into it any more.
     */
    private boolean skipGap(final long position, final int recordOffset, final long tailBound)
    {
        final int limit = (int)Math.min(
            Math.min(tailBound, head + capacity) - position, capacity - ((int)position & mask));
        final long padding = header(ALIGNMENT, PADDING_TYPE);
        int gap = 0;
        while (gap < limit &&
            buffer.compareAndSetLong(recordOffset + gap, FreeWord.of(position + gap, capacityShift), padding))
        {
            gap += ALIGNMENT;
        }
        if (gap == 0)
        {
            return false;
        }
        stepPastLostClaim(position, gap, 0);
        return true;
    }

    /** After a skip: reads past the skipped space, counts the lost claim and tells the listener. */
    private void stepPastLostClaim(final long position, final int length, final int claimer)
    {
        advanceReadPosition(position + length);
        buffer.getAndAddLong(LOST_CLAIMS_OFFSET, 1);
        lostClaimListener.onLostClaim(position, length, claimer);
    }

    /** A read met a skipped claim; if nothing holds the release yet, it holds it from here. */
    private void skippedClaimRead(final long position, final long header)
    {
        checkMark(position, header);
        if (heldAt < 0)
        {
            heldAt = position;
            heldHeader = header;
        }
    }

    private void checkMark(final long position, final long header)
    {
        if ((frameLength(header) & (ALIGNMENT - 1)) != 0)
        {
            throw corrupt("record length", frameLength(header) + " at position " + position +
                " (a skipped claim's mark spans whole records of " + ALIGNMENT + " bytes)");
        }
    }

    /**
     * The session of the claimer whose skipped claim holds the release, or 0 when nothing is held.
     *
     * @return a session (positive), or 0.
     */
    public int heldClaimer()
    {
        return heldAt < 0 ? 0 : ~type(heldHeader);
    }

    /**
     * Whether the claimer of the held skipped claim has let go of it: its late commit or abort overwrote the mark.
     *
     * @return true if a claim is held and its mark is gone.
     */
    public boolean isHeldClaimLetGo()
    {
        return heldAt >= 0 && buffer.getLongVolatile(RING_OFFSET + ((int)heldAt & mask)) != heldHeader;
    }

    /**
     * Stops holding the release at the held skipped claim, then releases up to the next skipped claim still marked,
     * or to the read position. Policy-free: call it when the claimer let go ({@link #isHeldClaimLetGo()}) or its
     * process is known dead, for nothing else can write into the claim then.
     */
    public void releaseHeldClaim()
    {
        if (heldAt >= 0)
        {
            holdOrRelease(heldAt + frameLength(heldHeader)); // 64-aligned and bounded when it was read
        }
    }

    /**
     * Walks the records already read from {@code from} to the read position: holds at the first skipped claim
     * still marked, and releases everything before it (or up to the read position if there is none). Every length
     * is bounded again, since the segment is untrusted, and the walk must land exactly on the read position; the
     * hold changes only once the walk succeeded, so a corrupt record never lets a held claim go. At most a ring per
     * walk, and only when a hold ends or a reader attaches behind one.
     */
    private void holdOrRelease(final long from)
    {
        long position = from;
        long hold = -1;
        long holdHeader = 0;
        while (position < readPosition)
        {
            final int index = (int)position & mask;
            final long header = buffer.getLongVolatile(RING_OFFSET + index);
            final int frameLength = frameLength(header);
            if (frameLength < HEADER_LENGTH || frameLength > capacity - index)
            {
                throw badRecordLength(frameLength, position);
            }
            if (isSkipped(type(header)))
            {
                checkMark(position, header);
                if (hold < 0)
                {
                    hold = position;
                    holdHeader = header;
                }
            }
            position += align(frameLength, ALIGNMENT);
        }
        if (position != readPosition)
        {
            throw corrupt("read position", readPosition + " (the records from " + from +
                " end at " + position + ", not there)");
        }
        heldAt = hold;
        heldHeader = holdHeader;
        release(hold >= 0 ? hold : readPosition);
    }

    /** Counts a poll's messages and releases its bytes: out of {@link #read} to keep that under the inlining limit. */
    private void consumed(final long start, final int bytesRead, final int messages, final long payloadBytes)
    {
        messagesConsumed += messages;
        bytesConsumed += payloadBytes;
        advanceReadPosition(start + bytesRead);
    }

    /**
     * Moves the read position and releases what it may. While a skipped claim holds the release, the read position
     * is also written down (release), so that a successor does not deliver again what this reader delivered past
     * the held claim; otherwise the head says it all.
     */
    private void advanceReadPosition(final long position)
    {
        readPosition = position;
        if (heldAt >= 0)
        {
            UnsafeApi.putLongRelease(null, readPositionAddress, position);
            release(heldAt);
        }
        else
        {
            release(position);
        }
    }

    /** Hands the space from the head to {@code newHead} back to the publishers (MPSC: marked free first). */
    private void release(final long newHead)
    {
        final long head = this.head;
        if (newHead == head)
        {
            return;
        }
        if (newHead - head > capacity || newHead < head)
        {
            throw corrupt("read position", newHead + " (head " + head + ", capacity " + capacity +
                ": a release spans at most one ring)");
        }
        if (freeSpace != null)
        {
            UnsafeApi.putLongRelease(null, consumedUpToAddress, newHead);
            VarHandle.storeStoreFence(); // no marking store may overtake it: a successor finishes what it names
            freeSpace.release(head, (int)(newHead - head));
        }
        UnsafeApi.putLongRelease(null, headAddress, newHead);
        this.head = newHead;
    }

    private void checkPosition(final String field, final long position, final long tail)
    {
        if (((position | tail) & (ALIGNMENT - 1)) != 0 || position < 0 || (position > tail && !tailIsHint) ||
            tail - position > capacity)
        {
            throw corrupt(field, position + " (tail " + tail + ", capacity " + capacity +
                ": positions must be 64-aligned and within one ring behind the tail" +
                (tailIsHint ? ")" : ", not ahead of it)"));
        }
    }
}
