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
import static io.shmlink.shm.ring.RecordDescriptor.recordLength;
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
    /** The record of an 8-byte message, the size most of these tests send. */
    private static final int R = recordLength(8);

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
        assertEquals(R, ring.getLongVolatile(TAIL_POSITION_OFFSET));
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

        assertEquals(4 * R, ring.getLongVolatile(TAIL_POSITION_OFFSET), "b claimed after a's three records");
        assertEquals(4, poll(reader));
        assertEquals(List.of(1L, 2L, 3L, 4L), received);
    }

    @Test
    void aTailMoreThanALapOldIsLeftForTheReleasedPosition()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        long value = 0;
        while (ring.getLongVolatile(HEAD_POSITION_OFFSET) < CAPACITY + 4 * R)
        {
            assertTrue(writer.write(message(value++), 0, 8) > 0);
            assertEquals(1, poll(reader));
        }
        received.clear();
        ring.putLongVolatile(TAIL_POSITION_OFFSET, R); // the tail as a walker that stood still for a lap read it

        final long position = writer.write(message(value), 0, 8);

        assertEquals(ring.getLongVolatile(HEAD_POSITION_OFFSET) + R, position, "claimed at the released end");
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

        assertEquals(2 * R, new MpscRingWriter(segment, SESSION_B).write(message(7), 0, 8), "after the claim");
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
        assertEquals(R, ring.getLongVolatile(HEAD_POSITION_OFFSET));
        assertEquals(0, ring.getLongVolatile(TAIL_POSITION_OFFSET));

        final RingReader successor = new RingReader(segment, true);
        final RingWriter publisher = new MpscRingWriter(segment, SESSION_B);
        assertEquals(2 * R, publisher.write(message(9), 0, 8), "claimed at the head, past the tail");

        assertEquals(1, poll(successor));
        assertEquals(List.of(9L), received);
    }

    @Test
    void aFullRingIsBackPressuredWhereverTheWalkStarts()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        final int sent = sendNumberedUntilFull(writer);
        assertEquals(CAPACITY / R, sent);
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 2 * R);

        assertEquals(Publisher.BACK_PRESSURED, writer.write(message(sent), 0, 8));
    }

    @Test
    void aWordInTheRecordsThatIsNeitherARecordNorFreeIsCorruptAndEndsTheWalk()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        assertTrue(writer.write(message(1), 0, 8) > 0);
        ring.putLongVolatile(RING_OFFSET + R, 3); // a length no record has, where the end of the records was
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 0);

        final CorruptChannelException ex =
            assertThrows(CorruptChannelException.class, () -> writer.write(message(2), 0, 8));

        assertTrue(ex.getMessage().contains("record header"), ex.getMessage());
        assertTrue(ex.getMessage().contains("position " + R), ex.getMessage());
    }

    @Test
    void aTailPastTheEndOfTheRecordsIsCorrupt()
    {
        // no publisher stores one: it stores the tail after the header CAS of the claim the tail follows
        ring.putLongVolatile(TAIL_POSITION_OFFSET, R);
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
        final int line = RecordDescriptor.ALIGNMENT;
        final long shortStart = 2L * CAPACITY - 4 * line; // in the second lap, as free words have
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        while (ring.getLongVolatile(HEAD_POSITION_OFFSET) < shortStart)
        {
            assertTrue(writer.write(message(0), 0, 8) > 0);
            assertEquals(1, poll(reader));
        }
        received.clear();
        // a message of two lines' record whose last int is 0: the boundary word inside it keeps its free word
        final int shortLength = line + 4 - HEADER_LENGTH;
        final long inside = shortStart + line;
        assertEquals(shortStart + 2 * line, writer.write(new UnsafeBuffer(new byte[shortLength]), 0, shortLength));
        assertEquals(FreeWord.of(inside, SHIFT), ring.getLongVolatile(RING_OFFSET + ((int)inside & (CAPACITY - 1))));
        for (long value = 1; value <= 2; value++)
        {
            assertTrue(writer.write(message(value), 0, 8) > 0);
        }
        // at index 0 a message whose word at the next boundary reads as padding up to that free word
        final long decoyBoundary = 2L * CAPACITY + line;
        final UnsafeBuffer decoy = new UnsafeBuffer(new byte[line]);
        decoy.putLong(0, 6);
        decoy.putLong(line - HEADER_LENGTH,
            header((int)(inside - (decoyBoundary - CAPACITY)), RecordDescriptor.PADDING_TYPE));
        final long decoyEnd = 2L * CAPACITY + recordLength(line);
        assertEquals(decoyEnd, writer.write(decoy, 0, line));
        ring.putLongVolatile(TAIL_POSITION_OFFSET, decoyBoundary - CAPACITY); // read a lap ago: inside the decoy

        assertEquals(decoyEnd + R, new MpscRingWriter(segment, SESSION_B).write(message(7), 0, 8), "at the end");

        assertEquals(5, poll(reader));
        assertEquals(List.of(0L, 1L, 2L, 6L, 7L), received, "every record whole, in order");
    }
}
