package io.shmlink.shm.segment;

import org.junit.jupiter.api.Test;

import static io.shmlink.shm.segment.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The offsets {@link SegmentDescriptor} builds are the ones its drawing gives for layout version 7 (the same as
 * for 5 and 6): files written by other builds of that version must still read. A change here needs a new layout
 * version.
 */
class SegmentLayoutTest
{
    @Test
    void headerOffsetsAreThoseOfLayoutVersion5()
    {
        assertEquals(7, LAYOUT_VERSION);
        assertArrayEquals(new int[] {0, 8, 12, 16, 20, 24, 32, 40}, new int[] {MAGIC_OFFSET,
            LAYOUT_VERSION_OFFSET, MODE_OFFSET, CAPACITY_OFFSET, MAX_MESSAGE_LENGTH_OFFSET, CREATION_TIME_OFFSET,
            CREATOR_PID_OFFSET, READY_OFFSET});
        assertArrayEquals(new int[] {256, 384, 392, 400, 408, 416}, new int[] {TAIL_POSITION_OFFSET,
            HEAD_POSITION_OFFSET, CONSUMED_UP_TO_OFFSET, MESSAGES_CONSUMED_OFFSET, BYTES_CONSUMED_OFFSET,
            READ_POSITION_OFFSET});
        assertArrayEquals(new int[] {512, 520, 528, 532, 576, 584}, new int[] {SUBSCRIBER_TOKEN_OFFSET,
            SUBSCRIBER_HEARTBEAT_OFFSET, SUBSCRIBER_WAIT_STATE_OFFSET, SUBSCRIBER_DOORBELL_OFFSET,
            SUBSCRIBER_ROLE_OFFSET, SERVER_CONNECTIONS_OFFSET});
        assertArrayEquals(new int[] {640, 648, 656, 664, 672, 680, 688, 692, 696}, new int[] {LOST_CLAIMS_OFFSET,
            BACK_PRESSURE_EVENTS_OFFSET, LAST_LOST_CLAIM_SEQUENCE_OFFSET, LAST_LOST_CLAIM_POSITION_OFFSET,
            LAST_LOST_CLAIM_TIME_OFFSET, LAST_LOST_CLAIM_PID_OFFSET, LAST_LOST_CLAIM_LENGTH_OFFSET,
            LAST_LOST_CLAIM_SESSION_OFFSET, BACK_PRESSURE_EPISODES_OFFSET});
    }

    @Test
    void publisherSlotsFillTheFirstPageAndTheRingStartsOnTheSecond()
    {
        assertArrayEquals(new int[] {1024, 32, 0, 8, 16, 20, 24}, new int[] {PUBLISHER_SLOTS_OFFSET,
            PUBLISHER_SLOT_LENGTH, SLOT_TOKEN_OFFSET, SLOT_HEARTBEAT_OFFSET, SLOT_GENERATION_OFFSET,
            SLOT_LAST_HOLDER_GENERATION_OFFSET, SLOT_LAST_HOLDER_OFFSET});
        assertEquals(4096, RING_OFFSET);
        assertEquals(96, MAX_PUBLISHERS);
    }

    @Test
    void partiesWritingOftenHaveRegionsOfTheirOwn()
    {
        assertEquals(0, TAIL_POSITION_OFFSET % PADDED_REGION);
        assertEquals(PADDED_REGION, HEAD_POSITION_OFFSET - TAIL_POSITION_OFFSET);
        assertEquals(PADDED_REGION, SUBSCRIBER_TOKEN_OFFSET - HEAD_POSITION_OFFSET);
        assertEquals(PADDED_REGION, LOST_CLAIMS_OFFSET - SUBSCRIBER_TOKEN_OFFSET);
    }
}
