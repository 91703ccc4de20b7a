package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;

import static io.shmlink.shm.segment.SegmentDescriptor.PADDED_REGION;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;

/**
 * The binary layout of a fan-out channel's (SPMC, MPMC) subscriber region: the pages right after the ring, so that
 * the header page and the ring sit where they do for every mode. Only fan-out segments have it; the header's
 * subscriber region then holds nothing but the channel-deleted mark, and its head position is the <i>released</i>
 * position: what every subscriber has read and publishers may reuse (see {@code docs/DESIGN.md}, "Fan-out").
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+ 0     written once by the creator
 *  |                       Max Subscribers                         |
 *  +---------------------------------------------------------------+ 4
 *  |                          reserved                             |
 *  +---------------------------------------------------------------+ 8
 *  |           Slow-Subscriber Timeout (ms, 64; 0 never)           |
 *  +---------------------------------------------------------------+ 16
 *  |                    reserved to byte 128                       |
 *  +---------------------------------------------------------------+ 128   subscribers, read after each commit
 *  |              Sleepers (64): subscribers announced asleep      |
 *  |                 padding to 128 bytes (2 lines)                |
 *  +---------------------------------------------------------------+ 256   MPMC publishers, when full
 *  |     Cleaner Token (64): the publisher marking released space  |
 *  +---------------------------------------------------------------+ 264
 *  |     Cleaner Target (64): the position it marks up to          |
 *  |                 padding to 128 bytes (2 lines)                |
 *  +---------------------------------------------------------------+ 384   subscriber slot 0
 *  |  Attachment (64): generation (high 32) | state (low 32)       |
 *  +---------------------------------------------------------------+ +8
 *  |                     Process Token (64)                        |
 *  +---------------------------------------------------------------+ +16
 *  |                 Heartbeat (epoch ms, 64)                      |
 *  +---------------------------------------------------------------+ +24
 *  |         Wait State (32)       |       Doorbell (32)           |
 *  +---------------------------------------------------------------+ +32
 *  |                       Evictions (64)                          |
 *  +---------------------------------------------------------------+ +40
 *  |           Lag at the last eviction (bytes, 64)                |
 *  +---------------------------------------------------------------+ +48
 *  |     Messages Consumed (64)    ...    Payload Bytes (64)       |
 *  +---------------------------------------------------------------+ +64
 *  |     Head Position (64): read and let go; publishers gate on it|
 *  +---------------------------------------------------------------+ +72
 *  |     Read Position (64): while a skipped claim is held         |
 *  |                 padding to 128 bytes                          |
 *  +---------------------------------------------------------------+ 384 + 128 * Max Subscribers
 *  |                 padding to whole pages                        |
 *  +---------------------------------------------------------------+
 * </pre>
 * A slot is written by its subscriber (each batch: the head; on sleep: the wait state; every 100 ms: the
 * heartbeat and counters) and read by publishers only when their cached gate says the ring is full, so one
 * 128-byte region per slot keeps writers of different slots off each other's lines. The attachment word is the
 * slot's owner: every change of it is one CAS (see {@code liveness.SubscriberSlots}).
 */
public final class FanOutDescriptor
{
    /** How many subscriber slots the region has, written once by the creator (32 bits). */
    public static final int MAX_SUBSCRIBERS_OFFSET = 0;

    /**
     * How long a live subscriber may hold publishers back before it is evicted, in milliseconds; 0 for never.
     */
    public static final int SLOW_SUBSCRIBER_TIMEOUT_OFFSET = 8;

    /**
     * How many subscribers announced that they sleep on their doorbell: counted up by a subscriber as it announces
     * it, down by whoever moves that subscriber's wait state away from asleep by CAS (itself as it wakes, or the
     * party that frees its slot). A publisher reads it after every commit (acquire) and looks at the slots only
     * when it is not 0, so waking costs a publisher one load, whatever the number of subscribers.
     */
    public static final int SLEEPERS_OFFSET = PADDED_REGION;

    /**
     * MPMC: the token of the publisher marking released space free for its next lap, or 0. Taken by CAS from 0,
     * or from a dead process's token; stored back to 0 when the marking is done.
     */
    public static final int CLEANER_TOKEN_OFFSET = 2 * PADDED_REGION;

    /**
     * MPMC: where the lease holder marks up to, stored (volatile) under the lease before it marks: the space from
     * the released position to here is releasable (its walk said so), so a publisher that takes the lease over from
     * a holder that died while marking marks it again up to here, through the record headers already gone.
     */
    public static final int CLEANER_TARGET_OFFSET = CLEANER_TOKEN_OFFSET + 8;

    /** Where subscriber slot 0 starts in the region. */
    public static final int SLOTS_OFFSET = 3 * PADDED_REGION;

    /** Bytes of one subscriber slot: a region of its own, as its subscriber writes it. */
    public static final int SLOT_LENGTH = PADDED_REGION;

    /**
     * The slot's owner: its generation (counted up by every take) in the high half, its state in the low half.
     * A subscriber checks before each message it hands over that the word is still the one it attached with.
     */
    public static final int SLOT_ATTACHMENT_OFFSET = 0;

    /** The process token of the slot's subscriber, taken by CAS as it attaches (64 bits). */
    public static final int SLOT_TOKEN_OFFSET = 8;

    /** The subscriber's heartbeat, in epoch milliseconds (64 bits). */
    public static final int SLOT_HEARTBEAT_OFFSET = 16;

    /** The subscriber's wait state, one of {@code SegmentDescriptor}'s {@code WAIT_STATE_} values (32 bits). */
    public static final int SLOT_WAIT_STATE_OFFSET = 24;

    /** Which of the subscriber process's doorbells to ring; 0 while it has none (32 bits). */
    public static final int SLOT_DOORBELL_OFFSET = 28;

    /** How many times subscribers of this slot were evicted, counted by the evictor (64 bits). */
    public static final int SLOT_EVICTIONS_OFFSET = 32;

    /** How many bytes behind the tail the subscriber was at the slot's last eviction (64 bits). */
    public static final int SLOT_EVICTION_LAG_OFFSET = 40;

    /** Messages the slot's subscriber consumed (64 bits). */
    public static final int SLOT_MESSAGES_OFFSET = 48;

    /** Payload bytes the slot's subscriber consumed (64 bits). */
    public static final int SLOT_BYTES_OFFSET = 56;

    /**
     * Where the subscriber has read up to and let go: records before it may be overwritten. Stored (release) after
     * each batch; behind the read position while a skipped claim holds it.
     */
    public static final int SLOT_HEAD_OFFSET = 64;

    /** Where the subscriber reads next, while a skipped claim holds its head (see {@code RingReader}). */
    public static final int SLOT_READ_POSITION_OFFSET = 72;

    /** Attachment state (the word's low half) of a slot that no subscriber holds. */
    public static final int STATE_FREE = 0;

    /** Attachment state of a slot taken by a subscriber that is still joining: publishers gate on it already. */
    public static final int STATE_ATTACHING = 1;

    /** Attachment state of a slot whose subscriber has joined and reads. */
    public static final int STATE_ATTACHED = 2;

    /** Attachment state of a slot whose subscriber was evicted for holding publishers back, until the slot is freed. */
    public static final int STATE_EVICTED = 3;

    private FanOutDescriptor()
    {
    }

    /**
     * Where the region starts in the segment: right after the ring.
     *
     * @param capacity the ring's capacity.
     * @return the offset.
     */
    public static int regionOffset(final int capacity)
    {
        return RING_OFFSET + capacity;
    }

    /**
     * The region's length before rounding to pages.
     *
     * @param maxSubscribers the channel's.
     * @return bytes.
     */
    public static int regionLength(final int maxSubscribers)
    {
        return SLOTS_OFFSET + maxSubscribers * SLOT_LENGTH;
    }

    /**
     * Offset of a slot in the segment.
     *
     * @param capacity the ring's capacity.
     * @param slot     in {@code [0, maxSubscribers)}.
     * @return the offset of the slot's first byte.
     */
    public static int slotOffset(final int capacity, final int slot)
    {
        return regionOffset(capacity) + SLOTS_OFFSET + slot * SLOT_LENGTH;
    }

    /**
     * The attachment word of a generation and a state.
     *
     * @param generation the slot's generation.
     * @param state      one of the states.
     * @return the word.
     */
    public static long attachment(final int generation, final int state)
    {
        return ((long)generation << 32) | (state & 0xFFFF_FFFFL);
    }

    /**
     * The generation in an attachment word.
     *
     * @param attachment the word.
     * @return its high half.
     */
    public static int generation(final long attachment)
    {
        return (int)(attachment >>> 32);
    }

    /**
     * The state in an attachment word.
     *
     * @param attachment the word.
     * @return its low half, one of the {@code STATE_} values.
     */
    public static int state(final long attachment)
    {
        return (int)attachment;
    }

    /**
     * Bytes of a segment's file that its config needs, header and ring and, for fan-out, the subscriber region,
     * before rounding to pages.
     *
     * @param config the channel's shape.
     * @return bytes.
     */
    public static long mappedLength(final ChannelConfig config)
    {
        final long ringEnd = (long)RING_OFFSET + config.capacity();
        return config.mode().isFanOut() ? ringEnd + regionLength(config.maxSubscribers()) : ringEnd;
    }
}
