package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import io.shmlink.shm.segment.InMemorySegments;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.shmlink.shm.ring.RecordDescriptor.header;
import static io.shmlink.shm.ring.RecordDescriptor.recordLength;
import static io.shmlink.shm.ring.RecordDescriptor.skippedType;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Recovery of claims that are never committed, step by step with explicit times; the jcstress test
 * {@code MpscLostClaimTest} races the same steps. A stall is skipped at the first check
 * that finds it stalled for the timeout after it was first seen.
 */
class LostClaimRecoveryTest extends MpscRingFixture
{
    /** The record of an 8-byte message, the size most of these tests send. */
    private static final int R = recordLength(8);

    private final StallDetector stalls = new StallDetector(reader, TIMEOUT_NS, ClaimerLiveness.UNKNOWN);

    /** Sends one message and consumes it, so that the next record is at position R, above the initial 0. */
    private void movePastPositionZero(final RingWriter writer)
    {
        assertEquals(R, writer.write(message(0x1), 0, 8));
        assertEquals(1, poll());
        received.clear();
    }

    /**
     * Attaches A's writer, then B's; B sends a message, which is consumed, and A claims 8 bytes at R after it.
     *
     * @param claim A's claim, made here.
     * @return B's writer.
     */
    private RingWriter otherAfterAClaimAtR(final BufferClaim claim)
    {
        final RingWriter slow = new MpscRingWriter(segment, SESSION_A);
        final RingWriter other = new MpscRingWriter(segment, SESSION_B);
        movePastPositionZero(other);
        assertEquals(2 * R, slow.claim(8, claim), "A's claim at R");
        return other;
    }

    /** Sees the stall at the read position, then again once the timeout has passed: the reader skips it. */
    private static void timeOut(final StallDetector stalls)
    {
        stalls.check(0);
        stalls.check(TIMEOUT_NS);
    }

    /** The stall detector of another reader, such as a successor subscriber's. */
    private static StallDetector stallsOf(final RingReader reader)
    {
        return new StallDetector(reader, TIMEOUT_NS, ClaimerLiveness.UNKNOWN);
    }

    /**
     * A claims 8 bytes and holds them past the timeout; {@code other} writes one message after them, which this
     * reader delivers past the claim (a reader that then leaves, in the tests of its successor).
     *
     * @return A's claim, still held.
     */
    private BufferClaim readPastAHeldClaimOfA(final RingWriter other)
    {
        final BufferClaim claim = new BufferClaim();
        new MpscRingWriter(segment, SESSION_A).claim(8, claim);
        timeOut(stalls);
        other.write(message(0xB), 0, 8);
        assertEquals(1, poll(), "B's message, past the held claim");
        return claim;
    }

    /** Offers 8-byte messages of {@code value} until the ring is full; returns how many went in. */
    private static int fillRing(final RingWriter writer, final long value)
    {
        int sent = 0;
        while (writer.write(message(value), 0, 8) > 0)
        {
            sent++;
        }
        return sent;
    }

    @Test
    void aClaimIsNotSkippedBeforeTheTimeout()
    {
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());

        stalls.check(0);
        stalls.check(TIMEOUT_NS - 1);

        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void unblockSkipsTheClaimAtTheReadPositionWhateverItsAge()
    {
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim()); // claimed this instant

        assertTrue(reader.unblock(reader.tail()));

        assertEquals(R, reader.position());
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void unblockLeavesACommittedRecordAlone()
    {
        new MpscRingWriter(segment, SESSION_A).write(message(0x5), 0, 8);

        assertFalse(reader.unblock(reader.tail()));

        assertEquals(1, poll());
        assertEquals(List.of(0x5L), received);
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void aZeroWordBelowAnSpscTailIsCorruptOnceItsTimeIsUp()
    {
        // no SPSC publisher leaves one (its header goes in before the tail moves): the file was tampered with
        final ChannelSegment spscSegment =
            InMemorySegments.create(new ChannelConfig(ChannelMode.SPSC, CAPACITY, CAPACITY / 8));
        spscSegment.buffer().putLongVolatile(TAIL_POSITION_OFFSET, 64);
        final RingReader spsc = new RingReader(spscSegment, false);
        final StallDetector spscStalls = new StallDetector(spsc, TIMEOUT_NS, ClaimerLiveness.UNKNOWN);

        spscStalls.check(0);
        final CorruptChannelException corrupt =
            assertThrows(CorruptChannelException.class, () -> spscStalls.check(TIMEOUT_NS));
        assertTrue(corrupt.getMessage().contains("below the tail"), corrupt.getMessage());
    }

    @Test
    void aSkippedMpscClaimIsMarkedWithItsClaimerInOneHeaderWord()
    {
        final RingWriter slow = new MpscRingWriter(segment, SESSION_A);
        movePastPositionZero(slow);
        slow.claim(20, new BufferClaim());                 // at R

        timeOut(stalls);

        assertEquals(header(recordLength(20), skippedType(SESSION_A)), ring.getLongVolatile(RING_OFFSET + R));
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void aSkippedSpscClaimIsMarkedAndHeldToo()
    {
        // an SPSC publisher closed while another of its threads writes a claim: the next publisher must not lap it
        final ChannelSegment spscSegment =
            InMemorySegments.create(new ChannelConfig(ChannelMode.SPSC, CAPACITY, CAPACITY / 8));
        final RingReader spsc = new RingReader(spscSegment, false);
        final StallDetector spscStalls = new StallDetector(spsc, TIMEOUT_NS, ClaimerLiveness.UNKNOWN);
        new SpscRingWriter(spscSegment, SESSION_A).claim(20, new BufferClaim());

        timeOut(spscStalls);

        assertEquals(header(recordLength(20), skippedType(SESSION_A)),
            spscSegment.buffer().getLongVolatile(RING_OFFSET));
        assertEquals(0, spscSegment.buffer().getLongVolatile(HEAD_POSITION_OFFSET));
    }

    @Test
    void recordsBehindASkippedClaimAreDeliveredWhileItsSpaceIsHeld()
    {
        final RingWriter other = otherAfterAClaimAtR(new BufferClaim());
        other.write(message(0xB), 0, 8);                // at 2R
        timeOut(stalls);

        assertEquals(1, poll());

        assertEquals(List.of(0xBL), received);
        assertEquals(3 * R, reader.position());
        assertEquals(R, ring.getLongVolatile(HEAD_POSITION_OFFSET), "nothing from the skipped claim on is released");
    }

    @Test
    void aLateCommitLandsOnItsOwnRecordAndNeverOnALaterLapsRecordAtTheSameIndex()
    {
        final BufferClaim claim = new BufferClaim();
        final RingWriter other = otherAfterAClaimAtR(claim); // A holds the claim at R past the timeout
        claim.buffer().putLong(0, 0xA);
        timeOut(stalls);
        final int sent = fillRing(other, 0xB);             // B cannot lap the held claim: back pressure instead
        assertEquals(Publisher.BACK_PRESSURED, other.write(message(0xB), 0, 8));
        while (poll() > 0)
        {
            // B's messages behind the skipped claim are all delivered
        }

        claim.commit();                                    // A wakes and commits: its own record, still held
        stalls.check(2 * TIMEOUT_NS);       // the reader sees A let go and releases the space

        assertEquals(sent, received.size());
        assertTrue(received.stream().allMatch(value -> value == 0xB), "A's late commit delivers nothing");
        assertEquals(reader.position(), ring.getLongVolatile(HEAD_POSITION_OFFSET), "released up to the reads");
        assertTrue(other.write(message(0xC), 0, 8) > CAPACITY, "B now claims a later lap");
        assertEquals(1, poll());
        assertEquals(0xCL, received.get(received.size() - 1));
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void aLateAbortLetsGoOfItsSkippedClaimWithoutTouchingAnyOtherRecord()
    {
        final BufferClaim claim = new BufferClaim();
        final RingWriter other = otherAfterAClaimAtR(claim);
        timeOut(stalls);
        other.write(message(0xB), 0, 8);
        assertEquals(1, poll());

        claim.abort();
        stalls.check(2 * TIMEOUT_NS);

        assertEquals(3 * R, ring.getLongVolatile(HEAD_POSITION_OFFSET));
        assertEquals(FreeWord.of(2 * R + CAPACITY, SHIFT), ring.getLongVolatile(RING_OFFSET + 2 * R),
            "B's consumed record was released for the next lap, not padded");
        assertEquals(List.of(0xBL), received);
    }

    @Test
    void aSkippedClaimStaysHeldWhileItsClaimerLives()
    {
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());
        timeOut(stalls);
        poll();

        for (long now = 2 * TIMEOUT_NS; now < 100 * TIMEOUT_NS; now += TIMEOUT_NS)
        {
            stalls.check(now);
        }

        assertEquals(0, ring.getLongVolatile(HEAD_POSITION_OFFSET));
    }

    @Test
    void aSkippedClaimIsReleasedOnceItsClaimersProcessIsKnownDead()
    {
        final boolean[] dead = {false};
        final RingReader watching = new RingReader(segment, true);
        final StallDetector watchingStalls = new StallDetector(watching, TIMEOUT_NS,
            ClaimerLiveness.of(session -> false, session -> dead[0] && session == SESSION_A));
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());
        timeOut(watchingStalls);
        poll(watching);

        dead[0] = true;
        watchingStalls.check(2 * TIMEOUT_NS);

        assertEquals(R, ring.getLongVolatile(HEAD_POSITION_OFFSET));
        assertEquals(FreeWord.of(CAPACITY, SHIFT), ring.getLongVolatile(RING_OFFSET),
            "the released claim is free for the next lap");
    }

    @Test
    void aClaimOfAnAttachThatIsOverIsSkippedWithoutWaitingForTheTimeoutButStillHeld()
    {
        final RingReader watching = new RingReader(segment, true);
        final StallDetector watchingStalls = new StallDetector(watching, Long.MAX_VALUE / 2,
            ClaimerLiveness.of(session -> session == SESSION_A, session -> false));
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());

        watchingStalls.check(0);
        watchingStalls.check(1);
        poll(watching);

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
        assertEquals(0, ring.getLongVolatile(HEAD_POSITION_OFFSET), "a closed publisher's thread may still write");
    }

    @Test
    void aSuccessorOfASubscriberThatDiedRightAfterTheSkipHoldsTheClaimToo()
    {
        final RingWriter other = new MpscRingWriter(segment, SESSION_B);
        final BufferClaim claim = new BufferClaim();
        new MpscRingWriter(segment, SESSION_A).claim(8, claim);
        other.write(message(0xB), 0, 8);
        timeOut(stalls);                                   // the skipping subscriber dies right after its CAS

        final RingReader successor = new RingReader(segment, true);
        final StallDetector successorStalls = stallsOf(successor);
        assertEquals(1, poll(successor));
        successorStalls.check(2 * TIMEOUT_NS);
        assertEquals(0, ring.getLongVolatile(HEAD_POSITION_OFFSET), "held by the successor as well");

        claim.commit();
        successorStalls.check(3 * TIMEOUT_NS);

        assertEquals(List.of(0xBL), received, "nothing false delivered, B's message once");
        assertEquals(2 * R, ring.getLongVolatile(HEAD_POSITION_OFFSET));
    }

    @Test
    void aSuccessorStartsWhereItsPredecessorStoppedReadingPastAHeldClaim()
    {
        final RingWriter other = new MpscRingWriter(segment, SESSION_B);
        final BufferClaim claim = readPastAHeldClaimOfA(other);
        received.clear();

        final RingReader successor = new RingReader(segment, true);
        final StallDetector successorStalls = stallsOf(successor);
        assertEquals(0, poll(successor), "B is not delivered twice");
        assertEquals(2 * R, successor.position());
        assertEquals(0, successor.headPosition(), "the claim is still held");

        claim.abort();
        successorStalls.check(2 * TIMEOUT_NS);

        assertEquals(2 * R, ring.getLongVolatile(HEAD_POSITION_OFFSET));
        other.write(message(0xC), 0, 8);
        assertEquals(1, poll(successor));
        assertEquals(List.of(0xCL), received);
    }

    @Test
    void aSuccessorReleasesWhatItsPredecessorReadIfTheClaimerLetGoMeanwhile()
    {
        readPastAHeldClaimOfA(new MpscRingWriter(segment, SESSION_B)).commit(); // lets go while no reader is attached

        final RingReader successor = new RingReader(segment, true);
        final StallDetector successorStalls = stallsOf(successor);

        assertEquals(2 * R, successor.headPosition());
        assertEquals(2 * R, ring.getLongVolatile(HEAD_POSITION_OFFSET));
    }

    @Test
    void aClaimCommittedShorterIsReadPastWholeInAnMpscRing()
    {
        final RingWriter writer = new MpscRingWriter(segment, SESSION_A);
        final BufferClaim claim = new BufferClaim();
        for (int i = 0; i < 3 * CAPACITY / recordLength(64); i++) // laps the ring: free words, padding, wrap all met
        {
            assertTrue(writer.claim(64, claim) > 0);
            claim.buffer().putLong(0, i);
            claim.commit(8 + (i % 3) * 8);
            assertEquals(1, poll());
        }
        assertEquals(3 * CAPACITY / recordLength(64), received.size());
        for (int i = 0; i < received.size(); i++)
        {
            assertEquals(i, received.get(i));
        }
        assertEquals(reader.position(), ring.getLongVolatile(HEAD_POSITION_OFFSET));
    }

    @Test
    void aLateShorterCommitOfAHeldClaimIsWalkedPastByASuccessor()
    {
        final RingWriter other = new MpscRingWriter(segment, SESSION_B);
        final BufferClaim claim = new BufferClaim();
        assertEquals(recordLength(64), new MpscRingWriter(segment, SESSION_A).claim(64, claim));
        timeOut(stalls);
        other.write(message(0xB), 0, 8);
        assertEquals(1, poll());                           // B delivered past the held claim; then this reader leaves
        claim.buffer().putLong(0, 0xA);
        claim.commit(8);                                   // lets go, shorter: its record then padding

        final RingReader successor = new RingReader(segment, true);
        assertEquals(recordLength(64) + R, successor.position(), "the walk from the head lands on the stored read " +
            "position");
        assertEquals(recordLength(64) + R, successor.headPosition(), "and releases everything");
        other.write(message(0xC), 0, 8);
        assertEquals(1, poll(successor));
        assertEquals(List.of(0xBL, 0xCL), received);
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void aReadPositionThatTheRecordsDoNotLeadToIsCorrupt()
    {
        final RingWriter other = new MpscRingWriter(segment, SESSION_B);
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());
        timeOut(stalls);
        final int twoLines = 2 * RecordDescriptor.ALIGNMENT - RecordDescriptor.HEADER_LENGTH; // a two-line record
        other.write(new org.agrona.concurrent.UnsafeBuffer(new byte[twoLines]), 0, twoLines);
        assertEquals(1, poll());
        // on the record grid, but inside B's record: no walk of the records from the head stops there
        ring.putLongVolatile(io.shmlink.shm.segment.SegmentDescriptor.READ_POSITION_OFFSET,
            R + RecordDescriptor.ALIGNMENT);

        final io.shmlink.api.CorruptChannelException ex = assertThrows(io.shmlink.api.CorruptChannelException.class,
            () -> new RingReader(segment, true));

        assertTrue(ex.getMessage().contains("read position"), ex.getMessage());
        assertTrue(ex.getMessage().contains("not there"), "found by the walk, not by alignment: " + ex.getMessage());
    }

    @Test
    void aSkippedClaimsMarkWhoseLengthIsNotWholeWordsIsCorrupt()
    {
        ring.putLongVolatile(TAIL_POSITION_OFFSET, R);
        ring.putLongRelease(RING_OFFSET, header(12, skippedType(SESSION_A)));

        final io.shmlink.api.CorruptChannelException ex =
            assertThrows(io.shmlink.api.CorruptChannelException.class, this::poll);

        assertTrue(ex.getMessage().contains("record length"), ex.getMessage());
    }

    @Test
    void aSuccessorOfASubscriberThatDiedBeforeTheSkipSkipsTheClaimItself()
    {
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());
        stalls.check(0);                    // seen once; then this subscriber dies

        final RingReader successor = new RingReader(segment, true);
        final StallDetector successorStalls = stallsOf(successor);
        timeOut(successorStalls);

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
        assertEquals(0, poll(successor));
        assertEquals(R, successor.position());
    }

    @Test
    void aCommitBeforeTheTimeoutIsDeliveredAndNothingIsSkipped()
    {
        final BufferClaim claim = new BufferClaim();
        new MpscRingWriter(segment, SESSION_A).claim(8, claim);
        claim.buffer().putLong(0, 0xA);
        stalls.check(0);

        claim.commit();
        stalls.check(TIMEOUT_NS);

        assertEquals(1, poll());
        assertEquals(List.of(0xAL), received);
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void theListenerIsToldTheSkippedClaimsPositionLengthAndSessionAfterItWasCounted()
    {
        final RingWriter slow = new MpscRingWriter(segment, SESSION_A);
        movePastPositionZero(slow);
        final List<String> told = new ArrayList<>();
        reader.lostClaimListener((position, length, session) ->
            told.add(position + "/" + length + "/" + session + "/" + ring.getLongVolatile(LOST_CLAIMS_OFFSET)));
        assertEquals(R + recordLength(20), slow.claim(20, new BufferClaim())); // at R

        stalls.check(0);
        assertEquals(List.of(), told, "nothing is lost before the timeout");
        stalls.check(TIMEOUT_NS);

        assertEquals(List.of(R + "/" + recordLength(20) + "/" + SESSION_A + "/1"), told);
    }

    @Test
    void aZeroLengthWordThatIsNotThisLapsFreeWordIsCorrupt()
    {
        ring.putLongVolatile(TAIL_POSITION_OFFSET, R);
        ring.putInt(RING_OFFSET + RecordDescriptor.SESSION_OFFSET, SESSION_A); // a type without a length

        final io.shmlink.api.CorruptChannelException ex =
            assertThrows(io.shmlink.api.CorruptChannelException.class, () -> stalls.check(0));

        assertTrue(ex.getMessage().contains("record header"), ex.getMessage());
    }

    @Test
    void aSubscriberThatSleepsBetweenPollsSkipsAStallInTwoDueChecks()
    {
        // A subscriber asleep on its doorbell polls a few times per wake-up: counting to 256 empty polls between
        // checks would stretch the checks a skip takes to seconds, so it checks after each sleep.
        final RingReader sleeper = new RingReader(segment, true);
        final StallDetector sleeperStalls = new StallDetector(sleeper, 1, ClaimerLiveness.UNKNOWN);
        new MpscRingWriter(segment, SESSION_A).claim(8, new BufferClaim());
        waitOutTheStallCheckInterval();
        sleeperStalls.checkIfDue();                // first sighting
        sleeperStalls.checkIfDue();                // too soon: does nothing
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
        waitOutTheStallCheckInterval();

        sleeperStalls.checkIfDue();

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    /** The reader checks for stalls at most once a millisecond, by the clock: let two go by. */
    private static void waitOutTheStallCheckInterval()
    {
        final long until = System.nanoTime() + 2_000_000L;
        while (System.nanoTime() < until)
        {
            Thread.onSpinWait();
        }
    }
}
