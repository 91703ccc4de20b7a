package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.header;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An MPSC claim is the CAS of the header word at the end of the records; the tail is only a hint of where that end
 * is (layout version 6, {@code docs/DESIGN.md}, "Claim"). A publisher walks from the hint over the records to the
 * free word of the lap, whatever the hint's age, and a claimer that dies before storing the hint leaves a claim the
 * subscriber skips like any other.
 */
class MpscClaimWalkTest extends MpscRingFixture
{
    /** A claimer that won its header CAS at the end of the records and died before it stored the tail. */
    private void claimWithoutStoringTheTail(final long position, final int session)
    {
        final int index = (int)position & (CAPACITY - 1);
        assertTrue(ring.compareAndSetLong(RING_OFFSET + index, FreeWord.of(position, SHIFT),
            header(-(8 + HEADER_LENGTH), session)));
    }

    @Test
    void aClaimIsTheHeaderWordAndTheTailFollowsIt()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);

        assertTrue(writer.claim(8, new BufferClaim()) > 0);

        assertEquals(header(-(8 + HEADER_LENGTH), SESSION_A), ring.getLongVolatile(RING_OFFSET));
        assertEquals(16, ring.getLongVolatile(TAIL_POSITION_OFFSET));
    }

    @Test
    void aPublisherWalksFromAnOldTailOverTheRecordsToTheirEnd()
    {
        final RingWriter a = new MpscRingWriter(segment, SESSION_A);
        final RingWriter b = new MpscRingWriter(segment, SESSION_B);
        for (long value = 1; value <= 3; value++)
        {
            assertTrue(a.write(message(value), 0, 8) > 0);
        }
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 0); // a racing publisher's older store of the hint landed last

        assertTrue(b.write(message(4), 0, 8) > 0);

        assertEquals(64, ring.getLongVolatile(TAIL_POSITION_OFFSET), "b claimed after a's three records");
        assertEquals(4, poll(reader));
        assertEquals(List.of(1L, 2L, 3L, 4L), received);
    }

    @Test
    void aTailMoreThanALapOldIsLeftForTheReleasedPosition()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        long value = 0;
        while (ring.getLongVolatile(HEAD_POSITION_OFFSET) < CAPACITY + 64)
        {
            assertTrue(writer.write(message(value++), 0, 8) > 0);
            assertEquals(1, poll(reader));
        }
        received.clear();
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 16); // the tail as a walker that stood still for a lap read it

        final long position = writer.write(message(value), 0, 8);

        assertEquals(ring.getLongVolatile(HEAD_POSITION_OFFSET) + 16, position, "claimed at the released end");
        assertEquals(1, poll(reader));
        assertEquals(List.of(value), received);
    }

    @Test
    void aClaimerThatDiedBeforeStoringTheTailIsSkippedAndLaterClaimsWalkPastIt()
    {
        final StallDetector stalls = new StallDetector(reader, TIMEOUT_NS, ClaimerLiveness.UNKNOWN);
        claimWithoutStoringTheTail(0, SESSION_A); // the tail still says 0

        stalls.check(0);
        stalls.check(TIMEOUT_NS);
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET), "skipped although the tail is at it");

        assertEquals(32, new MpscRingWriter(segment, SESSION_B).write(message(7), 0, 8), "after the claim");
        assertEquals(1, poll(reader));
        assertEquals(List.of(7L), received);
    }

    @Test
    void partiesAttachWhenTheHeadHasPassedATailThatADeadClaimerLeftBehind()
    {
        final StallDetector stalls = new StallDetector(reader, TIMEOUT_NS,
            ClaimerLiveness.of(session -> session == SESSION_A, session -> session == SESSION_A));
        claimWithoutStoringTheTail(0, SESSION_A);
        stalls.check(0);
        stalls.check(1); // its claimer's attach is over: skipped
        assertEquals(0, poll(reader));
        stalls.check(2); // and its process dead: released
        assertEquals(16, ring.getLongVolatile(HEAD_POSITION_OFFSET));
        assertEquals(0, ring.getLongVolatile(TAIL_POSITION_OFFSET));

        final RingReader successor = new RingReader(segment, true);
        final RingWriter publisher = new MpscRingWriter(segment, SESSION_B);
        assertEquals(32, publisher.write(message(9), 0, 8), "claimed at the head, past the tail");

        assertEquals(1, poll(successor));
        assertEquals(List.of(9L), received);
    }

    @Test
    void aFullRingIsBackPressuredWhereverTheWalkStarts()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        int sent = 0;
        while (writer.write(message(sent), 0, 8) > 0)
        {
            sent++;
        }
        assertEquals(CAPACITY / 16, sent);
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 32);

        assertEquals(Publisher.BACK_PRESSURED, writer.write(message(sent), 0, 8));
    }

    @Test
    void aWordInTheRecordsThatIsNeitherARecordNorFreeIsCorruptAndEndsTheWalk()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        assertTrue(writer.write(message(1), 0, 8) > 0);
        ring.putLongVolatile(RING_OFFSET + 16, 3); // a length no record has, where the end of the records was
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 0);

        final CorruptChannelException ex =
            assertThrows(CorruptChannelException.class, () -> writer.write(message(2), 0, 8));

        assertTrue(ex.getMessage().contains("record header"), ex.getMessage());
        assertTrue(ex.getMessage().contains("position 16"), ex.getMessage());
    }

    @Test
    void aTailPastTheEndOfTheRecordsIsCorrupt()
    {
        // no publisher stores one: it stores the tail after the header CAS of the claim the tail follows
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 24);
        final StallDetector stalls = new StallDetector(reader, TIMEOUT_NS, ClaimerLiveness.UNKNOWN);

        final CorruptChannelException ex = assertThrows(CorruptChannelException.class, () -> stalls.check(0));

        assertTrue(ex.getMessage().contains("tail position"), ex.getMessage());
    }

    /**
     * A walker whose tail read is a lap old steps over the next lap's payload as if it were headers, and may land
     * inside a record on bytes its message left unwritten, which still hold that lap's free word. It must not
     * claim there: the subscriber has released space from its start on, so the walk is stale and starts again.
     */
    @Test
    void aWalkThatReadALapOldTailNeverClaimsInsideARecord()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        while (ring.getLongVolatile(HEAD_POSITION_OFFSET) < 8096)
        {
            assertTrue(writer.write(message(0), 0, 8) > 0);
            assertEquals(1, poll(reader));
        }
        received.clear();
        // at 8096 a message of an int 0: the other half of its payload word keeps the free word of 8104
        assertEquals(8112, writer.write(new UnsafeBuffer(new byte[4]), 0, 4));
        assertEquals(FreeWord.of(8104, SHIFT), ring.getLongVolatile(RING_OFFSET + (8104 & (CAPACITY - 1))));
        for (long value = 1; value <= 5; value++)
        {
            assertTrue(writer.write(message(value), 0, 8) > 0);
        }
        // at 8192 (index 0) a message whose second word reads as a padding header of 3992 bytes from index 16
        final UnsafeBuffer decoy = new UnsafeBuffer(new byte[16]);
        decoy.putLong(0, 6);
        decoy.putLong(8, header(3992, RecordDescriptor.PADDING_TYPE));
        assertEquals(8216, writer.write(decoy, 0, 16));
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 4112); // read a lap ago: index 16, inside the decoy

        assertEquals(8232, new MpscRingWriter(segment, SESSION_B).write(message(7), 0, 8), "at the end, 8216");

        assertEquals(8, poll(reader));
        assertEquals(List.of(-4L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), received, "every record whole, in order");
    }
}
