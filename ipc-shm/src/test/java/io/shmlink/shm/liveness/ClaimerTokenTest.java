package io.shmlink.shm.liveness;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_LAST_HOLDER_GENERATION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_LAST_HOLDER_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.publisherSlotOffset;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Which process a lost claim's session names, after its publisher has left the slot: the subscriber holds the
 * claim's space while that process lives, so it must never name another one.
 */
class ClaimerTokenTest
{
    /** A process that is not this one, as another attach would have written it down. */
    private static final long OTHER = (1L << 42) | 12345;

    private final ChannelSegment segment = InMemorySegments.create(new ChannelConfig(ChannelMode.MPSC, 4096, 512));
    private final UnsafeBuffer buffer = segment.buffer();

    @Test
    void anAttachedSessionNamesItsHolder()
    {
        final int session = PartySlots.attachPublisher(segment, true);

        assertEquals(ProcessToken.SELF, PartySlots.claimerToken(segment, session));
    }

    @Test
    void aDetachedSessionStillNamesItsProcess()
    {
        final int session = PartySlots.attachPublisher(segment, true);

        PartySlots.detachPublisher(segment, session);

        assertEquals(ProcessToken.SELF, PartySlots.claimerToken(segment, session));
    }

    @Test
    void aLastHolderWrittenDownForAnotherGenerationIsNotTheSessionsProcess()
    {
        final int session = PartySlots.attachPublisher(segment, true);
        PartySlots.detachPublisher(segment, session);
        final int offset = publisherSlotOffset(PartySlots.slotOf(session));
        // the slot's next holder left in turn and wrote itself down for the next generation
        buffer.putIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET, (session >>> 7) + 1);
        buffer.putLongVolatile(offset + SLOT_LAST_HOLDER_OFFSET, OTHER);

        assertEquals(ProcessToken.NONE, PartySlots.claimerToken(segment, session), "unknown, not the next holder");
    }

    @Test
    void aLastHolderCaughtBeingWrittenDownNamesNobody()
    {
        final int session = PartySlots.attachPublisher(segment, true);
        PartySlots.detachPublisher(segment, session);
        final int offset = publisherSlotOffset(PartySlots.slotOf(session));
        buffer.putIntVolatile(offset + SLOT_LAST_HOLDER_GENERATION_OFFSET, -1);

        assertEquals(ProcessToken.NONE, PartySlots.claimerToken(segment, session));
    }

    @Test
    void aNewPublisherLeavesTheSlotOfALiveLastHolderAlone()
    {
        final int first = PartySlots.attachPublisher(segment, true);
        PartySlots.detachPublisher(segment, first);

        final int second = PartySlots.attachPublisher(segment, true);

        assertNotEquals(PartySlots.slotOf(first), PartySlots.slotOf(second));
        assertEquals(ProcessToken.SELF, PartySlots.claimerToken(segment, first));
    }
}
