package io.shmlink.shm.segment;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;

/**
 * The binary layout of a channel segment: one file in the registry directory, mapped read-write by every process
 * attached to the channel.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+ 0     header: written once by the creator
 *  |                     Magic "SHMLINK1" (64)                     |
 *  +---------------------------------------------------------------+ 8
 *  |                       Layout Version                          |
 *  +---------------------------------------------------------------+ 12
 *  |           Mode (0 SPSC, 1 MPSC, 2 SPMC, 3 MPMC)               |
 *  +---------------------------------------------------------------+ 16
 *  |                   Capacity (ring data bytes)                  |
 *  +---------------------------------------------------------------+ 20
 *  |                      Max Message Length                       |
 *  +---------------------------------------------------------------+ 24
 *  |                 Creation Time (epoch ms, 64)                  |
 *  +---------------------------------------------------------------+ 32
 *  |                       Creator Pid (64)                        |
 *  +---------------------------------------------------------------+ 40
 *  |           Ready Word: READY_VALUE, stored last (release)      |
 *  +---------------------------------------------------------------+ 44
 *  |                     reserved to byte 256                      |
 *  +---------------------------------------------------------------+ 256   written by publishers
 *  |                     Tail Position (64)                        |
 *  |                 padding to 128 bytes (2 lines)                |
 *  +---------------------------------------------------------------+ 384   written by the subscriber
 *  |                     Head Position (64)                        |
 *  +---------------------------------------------------------------+ 392
 *  |                   Consumed-Up-To Position (64)                |
 *  +---------------------------------------------------------------+ 400
 *  |                   Messages Consumed (64)                      |
 *  +---------------------------------------------------------------+ 408
 *  |                   Payload Bytes Consumed (64)                 |
 *  +---------------------------------------------------------------+ 416
 *  |            Read Position (64, while a skipped claim is held)  |
 *  |                 padding to 128 bytes (2 lines)                |
 *  +---------------------------------------------------------------+ 512   subscriber party
 *  |     Subscriber Process Token (64), or DETACHED, or DELETED    |
 *  +---------------------------------------------------------------+ 520
 *  |                 Subscriber Heartbeat (epoch ms, 64)           |
 *  +---------------------------------------------------------------+ 528
 *  |     Wait State (AWAKE 0, SLEEPING 1, SIGNALLED 2)             |
 *  +---------------------------------------------------------------+ 532
 *  |     Doorbell Number (0: none; see io.shmlink.shm.wait)        |
 *  +---------------------------------------------------------------+ 536
 *  |                 padding to the next line                      |
 *  +---------------------------------------------------------------+ 576
 *  |     Subscriber Role (0 channel subscriber, 1 server socket)   |
 *  +---------------------------------------------------------------+ 580
 *  |                 padding                                       |
 *  +---------------------------------------------------------------+ 584
 *  |     Server Socket's Live Connections (64)                     |
 *  +---------------------------------------------------------------+ 592
 *  |                 padding to 128 bytes (2 lines)                |
 *  +---------------------------------------------------------------+ 640   counters
 *  |                        Lost Claims (64)                       |
 *  +---------------------------------------------------------------+ 648
 *  |                   Back-Pressure Events (64)                   |
 *  +---------------------------------------------------------------+ 656   last lost claim (subscriber)
 *  |             Sequence (64): odd while being written            |
 *  +---------------------------------------------------------------+ 664
 *  |                        Position (64)                          |
 *  +---------------------------------------------------------------+ 672
 *  |                   Time (epoch ms, 64)                         |
 *  +---------------------------------------------------------------+ 680
 *  |                 Claimer Pid (64; 0 unknown)                   |
 *  +---------------------------------------------------------------+ 688
 *  |          Length (32)          |   Claimer Session (32)        |
 *  +---------------------------------------------------------------+ 696   counters (publishers)
 *  |                 Back-Pressure Episodes (64)                   |
 *  +---------------------------------------------------------------+ 704
 *  |                 padding to 1024 bytes                         |
 *  +---------------------------------------------------------------+ 1024  publisher slots
 *  |   Publisher Slot 0: Process Token (64) | Heartbeat (64) | Generation (32) |               |
 *  |   Last Holder Generation (32) | Last Holder Token (64)                                 |
 *  |   ... MAX_PUBLISHERS slots of 32 bytes ...                    |
 *  +---------------------------------------------------------------+ 4096  ring data (page aligned)
 *  |                  Records: Capacity bytes                      |
 *  ...                                                           ...
 *  +---------------------------------------------------------------+ 4096 + Capacity
 *  |   SPMC, MPMC: the subscriber region (FanOutDescriptor)        |
 *  +---------------------------------------------------------------+ file size, whole pages
 * </pre>
 * Each region written by a different party starts on its own 128-byte boundary: two cache lines, because the
 * adjacent-line prefetcher of x86 fetches lines in pairs, so a 64-byte gap still lets the publisher's tail store
 * invalidate the line the subscriber is writing its head into.
 * <p>
 * Positions are byte counts since creation that only grow; a position's index in the ring is
 * {@code position & (capacity - 1)}. Process tokens are described in
 * {@link io.shmlink.shm.liveness.ProcessToken}.
 */
public final class SegmentDescriptor
{
    /** "SHMLINK1" in ASCII, read as a little-endian long. */
    public static final long MAGIC = 0x314B4E494C4D4853L;

    /**
     * Bumped on any change to this layout; a reader refuses versions it does not know. Version 2 added the
     * suspected claim position: a version 1 subscriber does not write it, so MPSC publishers of version 2 could not
     * trust a channel it serves. Version 3 added the last lost claim. Version 4 makes every record state change one
     * 64-bit store or CAS of the header word, adds the skipped-claim mark that holds the release (see
     * {@code RecordDescriptor}), drops the suspected claim position and adds each publisher slot's last holder.
     * Version 5 adds the fan-out modes (SPMC, MPMC), their subscriber region after the ring
     * ({@link FanOutDescriptor}), and for them the commit by CAS. Version 6 changes no offset but what the MPSC
     * tail means: a claim is the CAS of its header word at the end of the records, and the tail only a hint of
     * where that is, so a version 5 publisher's claim (tail CAS, then header) would race a version 6 one's.
     * Version 7 changes no offset but where records start: on 64-byte boundaries (one cache line), where version 6
     * had 8, so a version 6 party would walk and check positions on the old grid.
     */
    public static final int LAYOUT_VERSION = 7;

    /** Stored in the ready word after everything else is written. */
    public static final int READY_VALUE = 0x52454459;

    /** Padding between regions written by different parties. */
    public static final int PADDED_REGION = 2 * CACHE_LINE_LENGTH;

    /** The magic, {@link #MAGIC} (64 bits): the file's first bytes. */
    public static final int MAGIC_OFFSET;

    /** The layout version the creator wrote, {@link #LAYOUT_VERSION} for this build (32 bits). */
    public static final int LAYOUT_VERSION_OFFSET;

    /** The channel's mode, one of the {@code MODE_} values (32 bits). */
    public static final int MODE_OFFSET;

    /** The ring's capacity in bytes of record data, a power of two (32 bits). */
    public static final int CAPACITY_OFFSET;

    /** The longest message the channel takes, in bytes (32 bits). */
    public static final int MAX_MESSAGE_LENGTH_OFFSET;

    /** When the channel was created, in epoch milliseconds (64 bits). */
    public static final int CREATION_TIME_OFFSET;

    /** The pid of the process that created the channel (64 bits). */
    public static final int CREATOR_PID_OFFSET;

    /** The ready word: {@link #READY_VALUE} once the creator has written everything else, stored last (release). */
    public static final int READY_OFFSET;


    /** Written by publishers when they claim space: release store (SPSC) or CAS (MPSC). */
    public static final int TAIL_POSITION_OFFSET;

    /** Written by the subscriber after it has released what it consumed (MPSC: marked it free): release store. */
    public static final int HEAD_POSITION_OFFSET;

    /**
     * Written by the subscriber (release, then a store-store fence) before it marks consumed records free: if it
     * dies while marking, its successor finishes the marking up to here instead of reading half-marked records.
     */
    public static final int CONSUMED_UP_TO_OFFSET;

    /**
     * Written by the subscriber (release) while a skipped claim holds the release: the position after the last
     * record it read, so that a successor starts there instead of delivering again what lies past the held claim.
     * Below the head it means nothing (the head says it all).
     */
    public static final int READ_POSITION_OFFSET;

    /**
     * Counted by the subscriber when it releases a batch, written on its liveness ticks and at its close, read by
     * statistics.
     */
    public static final int MESSAGES_CONSUMED_OFFSET;

    /** Payload bytes the subscriber consumed, counted and written with {@link #MESSAGES_CONSUMED_OFFSET}. */
    public static final int BYTES_CONSUMED_OFFSET;

    /**
     * The subscriber's process token, or {@code ProcessToken.NONE}, {@code DETACHED} or {@code DELETED}. Every
     * offer reads it (to return NOT_CONNECTED or CLOSED), so nothing that changes often lives in its line but the
     * subscriber's heartbeat, stored every 100 ms.
     */
    public static final int SUBSCRIBER_TOKEN_OFFSET;

    /** The subscriber's heartbeat, in epoch milliseconds, stored every 100 ms (64 bits). */
    public static final int SUBSCRIBER_HEARTBEAT_OFFSET;

    /**
     * Whether the subscriber is blocked in the kernel waiting for a doorbell. It shares the token's line because
     * every commit reads it right after the token was read for the same offer: an awake subscriber costs the
     * publisher one load of a line it already holds. The subscriber stores SLEEPING (volatile) before its last
     * look at the ring; a publisher that sees SLEEPING after a commit CASes it to SIGNALLED and the winner rings
     * the doorbell, so a burst of offers rings once.
     */
    public static final int SUBSCRIBER_WAIT_STATE_OFFSET;

    /**
     * Which of the subscriber process's doorbells to ring; 0 while it has none. Untrusted: only digits of it reach
     * a path.
     */
    public static final int SUBSCRIBER_DOORBELL_OFFSET;

    /**
     * What the subscriber is: {@link #SUBSCRIBER_ROLE_CHANNEL}, stored by every subscriber as it attaches, or
     * {@link #SUBSCRIBER_ROLE_SERVER_SOCKET}, stored after that by a server socket on its request channel. In the
     * subscriber region's second line, away from the token's, which every offer reads. Added in the padding without
     * a layout version change: it is shown by tools and read by nothing else, and a process of an earlier build of
     * version 4 leaves it alone.
     */
    public static final int SUBSCRIBER_ROLE_OFFSET;

    /** Role of a channel's subscriber, stored by every subscriber as it attaches. */
    public static final int SUBSCRIBER_ROLE_CHANNEL = 0;

    /** Role of a server socket's subscriber on its request channel, stored after it attached. */
    public static final int SUBSCRIBER_ROLE_SERVER_SOCKET = 1;

    /**
     * A server socket's connections, accepted and not yet closed on its side: counted up by accept and down by the
     * close of each accepted socket (atomic adds); zeroed when a server socket binds. Meaningless unless the role is
     * {@link #SUBSCRIBER_ROLE_SERVER_SOCKET} and the subscriber lives.
     */
    public static final int SERVER_CONNECTIONS_OFFSET;

    /** Wait state of a subscriber that is not blocked on its doorbell: publishers ring nothing. */
    public static final int WAIT_STATE_AWAKE = 0;

    /** Wait state stored by a subscriber before its last look at the ring ahead of blocking on its doorbell. */
    public static final int WAIT_STATE_SLEEPING = 1;

    /** Wait state CASed from sleeping by the one publisher that then rings the doorbell. */
    public static final int WAIT_STATE_SIGNALLED = 2;

    /** Claims the subscriber skipped because their publisher stood still past the timeout or its attach ended. */
    public static final int LOST_CLAIMS_OFFSET;

    /** Offers and claims refused for lack of space; counted with an atomic add on that slow path only. */
    public static final int BACK_PRESSURE_EVENTS_OFFSET;

    /**
     * The last lost claim, written by the subscriber when it skips one, after it counted it in {@link
     * #LOST_CLAIMS_OFFSET}, and read by anyone who describes the channel. A sequence lock: the subscriber stores
     * the sequence odd (volatile, then a store-store fence so no field store overtakes it), the fields, then the
     * sequence even (release); a reader that loads the same even sequence (acquire) before the fields and again
     * after them (behind a load-load fence) has them whole. 0 until the first lost claim. Diagnostics only: no
     * value here is ever used as an index or a length.
     */
    public static final int LAST_LOST_CLAIM_SEQUENCE_OFFSET;

    /** The last lost claim's position, in bytes since the channel was created (64 bits). */
    public static final int LAST_LOST_CLAIM_POSITION_OFFSET;

    /** When the subscriber skipped the last lost claim, in epoch milliseconds (64 bits). */
    public static final int LAST_LOST_CLAIM_TIME_OFFSET;

    /** The pid of the last lost claim's publisher; 0 if unknown (64 bits). */
    public static final int LAST_LOST_CLAIM_PID_OFFSET;

    /** The bytes the subscriber skipped for the last lost claim (32 bits). */
    public static final int LAST_LOST_CLAIM_LENGTH_OFFSET;

    /** The session of the last lost claim's publisher, from the record's header; 0 for a zeroed gap (32 bits). */
    public static final int LAST_LOST_CLAIM_SESSION_OFFSET;

    /**
     * Runs of refused sends: a publisher counts one when a send is refused for lack of space after one that was
     * not, so a run of retries counts once ({@link #BACK_PRESSURE_EVENTS_OFFSET} counts every refusal). Atomic add,
     * on that slow path only. Added in the padding without a layout version change: a process of an earlier build
     * of version 4 leaves it alone, so it may undercount while one attaches, and nothing else reads it.
     */
    public static final int BACK_PRESSURE_EPISODES_OFFSET;

    /** Where the publisher slots start: {@link #MAX_PUBLISHERS} of them, up to the ring. */
    public static final int PUBLISHER_SLOTS_OFFSET;

    /** Bytes of one publisher slot. */
    public static final int PUBLISHER_SLOT_LENGTH;

    /** In a publisher slot: the process token of the publisher that holds it (64 bits). */
    public static final int SLOT_TOKEN_OFFSET;

    /** In a publisher slot: its publisher's heartbeat, in epoch milliseconds (64 bits). */
    public static final int SLOT_HEARTBEAT_OFFSET;

    /** Counts the attaches to a slot, so a session names one attach, not just a slot that may be retaken. */
    public static final int SLOT_GENERATION_OFFSET;

    /**
     * The token of a past holder of the slot and the generation it held it in: stored by a publisher as it detaches
     * (before its token is replaced) and by a publisher that takes over a dead holder's slot (before the generation
     * is counted up), generation first as -1, then the token, then the generation (see {@code PartySlots}). So the
     * process of a session that has left its slot stays known until the slot's next holder leaves, and a skipped
     * claim of a closed or replaced publisher is held until that process lets go or dies.
     */
    public static final int SLOT_LAST_HOLDER_GENERATION_OFFSET;

    /** In a publisher slot: the token of its past holder (see {@link #SLOT_LAST_HOLDER_GENERATION_OFFSET}). */
    public static final int SLOT_LAST_HOLDER_OFFSET;

    /** Ring data starts on the second page, so records are page aligned like the ring itself. */
    public static final int RING_OFFSET;

    /** How many publishers may be attached to one MPSC channel at once. */
    public static final int MAX_PUBLISHERS;

    /** The header written once by the creator, with room reserved for fields to come. */
    public static final int CREATOR_REGION_LENGTH = 256;

    /** The subscriber's counters and the last lost claim, then room reserved up to the publisher slots. */
    public static final int COUNTERS_REGION_LENGTH = 384;

    static
    {
        // Offsets are built region by region, as Agrona's RingBufferDescriptor builds its own, so that no two
        // regions can overlap. The values are those drawn above (layout version 5, unchanged in 6); SegmentLayoutTest
        // pins them.
        int offset = 0;
        MAGIC_OFFSET = offset;
        LAYOUT_VERSION_OFFSET = offset += 8;
        MODE_OFFSET = offset += 4;
        CAPACITY_OFFSET = offset += 4;
        MAX_MESSAGE_LENGTH_OFFSET = offset += 4;
        CREATION_TIME_OFFSET = offset += 4;
        CREATOR_PID_OFFSET = offset += 8;
        READY_OFFSET = offset += 8;

        // publishers' region: the tail alone in its two lines
        TAIL_POSITION_OFFSET = CREATOR_REGION_LENGTH;

        // the subscriber's positions and counters
        HEAD_POSITION_OFFSET = TAIL_POSITION_OFFSET + PADDED_REGION;
        CONSUMED_UP_TO_OFFSET = HEAD_POSITION_OFFSET + 8;
        MESSAGES_CONSUMED_OFFSET = HEAD_POSITION_OFFSET + 16;
        BYTES_CONSUMED_OFFSET = HEAD_POSITION_OFFSET + 24;
        READ_POSITION_OFFSET = HEAD_POSITION_OFFSET + 32;

        // the subscriber party: token, heartbeat and wait state in one line, its role in the next
        SUBSCRIBER_TOKEN_OFFSET = HEAD_POSITION_OFFSET + PADDED_REGION;
        SUBSCRIBER_HEARTBEAT_OFFSET = SUBSCRIBER_TOKEN_OFFSET + 8;
        SUBSCRIBER_WAIT_STATE_OFFSET = SUBSCRIBER_TOKEN_OFFSET + 16;
        SUBSCRIBER_DOORBELL_OFFSET = SUBSCRIBER_TOKEN_OFFSET + 20;
        SUBSCRIBER_ROLE_OFFSET = SUBSCRIBER_TOKEN_OFFSET + CACHE_LINE_LENGTH;
        SERVER_CONNECTIONS_OFFSET = SUBSCRIBER_ROLE_OFFSET + 8;

        // counters, and the last lost claim
        LOST_CLAIMS_OFFSET = SUBSCRIBER_TOKEN_OFFSET + PADDED_REGION;
        BACK_PRESSURE_EVENTS_OFFSET = LOST_CLAIMS_OFFSET + 8;
        LAST_LOST_CLAIM_SEQUENCE_OFFSET = BACK_PRESSURE_EVENTS_OFFSET + 8;
        LAST_LOST_CLAIM_POSITION_OFFSET = LAST_LOST_CLAIM_SEQUENCE_OFFSET + 8;
        LAST_LOST_CLAIM_TIME_OFFSET = LAST_LOST_CLAIM_POSITION_OFFSET + 8;
        LAST_LOST_CLAIM_PID_OFFSET = LAST_LOST_CLAIM_TIME_OFFSET + 8;
        LAST_LOST_CLAIM_LENGTH_OFFSET = LAST_LOST_CLAIM_PID_OFFSET + 8;
        LAST_LOST_CLAIM_SESSION_OFFSET = LAST_LOST_CLAIM_LENGTH_OFFSET + 4;
        BACK_PRESSURE_EPISODES_OFFSET = LAST_LOST_CLAIM_SESSION_OFFSET + 4;

        // publisher slots, to the end of the first page
        PUBLISHER_SLOTS_OFFSET = LOST_CLAIMS_OFFSET + COUNTERS_REGION_LENGTH;
        PUBLISHER_SLOT_LENGTH = 32;
        SLOT_TOKEN_OFFSET = 0;
        SLOT_HEARTBEAT_OFFSET = 8;
        SLOT_GENERATION_OFFSET = 16;
        SLOT_LAST_HOLDER_GENERATION_OFFSET = 20;
        SLOT_LAST_HOLDER_OFFSET = 24;

        // ring data from the second page
        RING_OFFSET = 4096;
        MAX_PUBLISHERS = (RING_OFFSET - PUBLISHER_SLOTS_OFFSET) / PUBLISHER_SLOT_LENGTH;
    }

    /** Mode of a channel with one publisher and one subscriber. */
    public static final int MODE_SPSC = 0;

    /** Mode of a channel with many publishers and one subscriber. */
    public static final int MODE_MPSC = 1;

    /** Mode of a fan-out channel with one publisher and many subscribers. */
    public static final int MODE_SPMC = 2;

    /** Mode of a fan-out channel with many publishers and many subscribers. */
    public static final int MODE_MPMC = 3;

    private SegmentDescriptor()
    {
    }

    /**
     * Offset of a publisher slot.
     *
     * @param slot index in {@code [0, MAX_PUBLISHERS)}.
     * @return the offset of the slot's first byte.
     */
    public static int publisherSlotOffset(final int slot)
    {
        return PUBLISHER_SLOTS_OFFSET + slot * PUBLISHER_SLOT_LENGTH;
    }

    /**
     * The file size for a ring of one subscriber: header page plus ring data, rounded up to whole pages.
     *
     * @param capacity ring data bytes.
     * @param pageSize the system page size.
     * @return the file size.
     */
    public static long segmentLength(final int capacity, final int pageSize)
    {
        return wholePages((long)RING_OFFSET + capacity, pageSize);
    }

    /**
     * The file size for a channel: header page, ring data and, for fan-out, the subscriber region, rounded up to
     * whole pages.
     *
     * @param config   the channel's shape.
     * @param pageSize the page size of the directory's filesystem.
     * @return the file size.
     */
    public static long segmentLength(final io.shmlink.api.ChannelConfig config, final int pageSize)
    {
        return wholePages(FanOutDescriptor.mappedLength(config), pageSize);
    }

    private static long wholePages(final long raw, final int pageSize)
    {
        return (raw + pageSize - 1) / pageSize * pageSize;
    }
}
