package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.LENGTH_OFFSET;
import static io.shmlink.shm.ring.RecordDescriptor.TYPE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUSPECTED_CLAIM_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * MPSC recovery of claims that are never committed, step by step with explicit times, where the jcstress tests
 * {@code MpscZeroGapTest}, {@code MpscLostClaimTest} and {@code MpscAnnouncedCommitTest} race the same steps.
 * Regression tests for what those found. The reader has no skip grace unless a test gives it one: with explicit
 * times, the grace would only add a step.
 */
class LostClaimRecoveryTest
{
    private static final int CAPACITY = 4096;
    private static final long TIMEOUT_NS = 1_000;
    private static final long GRACE_NS = 5_000;
    private static final int SESSION_A = (1 << 7) | 1;
    private static final int SESSION_B = (1 << 7) | 2;

    private final ChannelSegment segment =
        InMemorySegments.create(new ChannelConfig(ChannelMode.MPSC, CAPACITY, CAPACITY / 8));
    private final UnsafeBuffer ring = segment.buffer();
    private final RingReader reader = new RingReader(segment, true, TIMEOUT_NS, 0, session -> false);
    private final List<Long> received = new ArrayList<>();

    private int poll()
    {
        return reader.read((buffer, offset, length) -> received.add(length >= 8 ? buffer.getLong(offset) : -length), 100);
    }

    private static UnsafeBuffer message(final long value)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        message.putLong(0, value);
        return message;
    }

    @Test
    void aZeroedGapIsSkippedOnlyUpToTheTailSeenWhenTheStallWasFirstSeen()
    {
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 24);   // a publisher claimed 24 bytes and died before its header
        reader.checkForStalledClaim(0);                    // the stall is first seen: tail 24
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 48);   // B claims the next 24 bytes, its header not yet written
        reader.checkForStalledClaim(0);                    // the stall's clock starts

        reader.checkForStalledClaim(TIMEOUT_NS);           // the timeout strikes

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
        assertEquals(0, poll());
        assertEquals(24, reader.position(), "only the dead claim's 24 bytes were skipped");
        final int recordOffset = RING_OFFSET + 24;         // B writes its header, payload, and commits
        ring.putInt(recordOffset + TYPE_OFFSET, SESSION_B);
        ring.putIntRelease(recordOffset + LENGTH_OFFSET, -(8 + HEADER_LENGTH));
        ring.putLong(recordOffset + HEADER_LENGTH, 0xB);
        ring.putIntRelease(recordOffset + LENGTH_OFFSET, 8 + HEADER_LENGTH);
        assertEquals(1, poll());
        assertEquals(List.of(0xBL), received);
    }

    @Test
    void aCommitAfterItsClaimWasSkippedLeavesNothingForALaterLapToRead()
    {
        final RingWriter slow = new RingWriter(segment, true, SESSION_A);
        final RingWriter other = new RingWriter(segment, true, SESSION_B);
        final BufferClaim claim = new BufferClaim();
        assertEquals(16, slow.claim(8, claim));
        claim.buffer().putLong(0, 0xA);
        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(TIMEOUT_NS);           // the claim is skipped as lost...
        assertEquals(0, poll());                           // ...consumed as padding and zeroed
        assertEquals(16, reader.position());

        claim.commit();                                    // the publisher wakes up and commits after all

        // Another publisher fills the rest of the ring, so the subscriber comes back to index 0 a lap later
        // with nothing sent there: it must find nothing.
        int sent = 0;
        while (reader.position() < CAPACITY)
        {
            final int length = Math.min((int)(CAPACITY - reader.position()), 512) - HEADER_LENGTH; // 496 last
            final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
            message.putLong(0, 0xE);
            assertTrue(other.write(message, 0, length) > 0);
            sent++;
            poll();
        }
        assertEquals(CAPACITY, reader.position(), "no phantom record read at index 0");
        assertEquals(0, poll(), "no phantom record at the index the late commit wrote to");
        assertEquals(sent, received.size());
        assertTrue(received.stream().allMatch(value -> value == 0xE), "only the other publisher's messages");
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void theListenerIsToldTheSkippedClaimsPositionLengthAndSessionAfterItWasCounted()
    {
        final RingWriter slow = new RingWriter(segment, true, SESSION_A);
        movePastPositionZero(slow);
        final List<String> told = new ArrayList<>();
        reader.lostClaimListener((position, length, session) ->
            told.add(position + "/" + length + "/" + session + "/" + ring.getLongVolatile(LOST_CLAIMS_OFFSET)));
        assertEquals(48, slow.claim(20, new BufferClaim())); // at 16: a 28-byte record, 32 aligned

        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(0);
        assertEquals(List.of(), told, "nothing is lost before the timeout");
        reader.checkForStalledClaim(TIMEOUT_NS);

        assertEquals(List.of("16/32/" + SESSION_A + "/1"), told);
    }

    @Test
    void theListenerIsToldAZeroedGapWithSessionZero()
    {
        final List<String> told = new ArrayList<>();
        reader.lostClaimListener((position, length, session) -> told.add(position + "/" + length + "/" + session));
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 40);   // a publisher claimed 40 bytes and died before its header
        ring.putInt(RING_OFFSET + TYPE_OFFSET, SESSION_A);  // a type word without a length is no header: not A's

        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(TIMEOUT_NS);

        assertEquals(List.of("0/40/0"), told);
    }

    /** Sends one message and consumes it, so that the next record is at position 16, above the initial 0. */
    private void movePastPositionZero(final RingWriter writer)
    {
        assertEquals(16, writer.write(message(0x1), 0, 8));
        assertEquals(1, poll());
        received.clear();
    }

    @Test
    void aStalledRecordIsAnnouncedWithItsPositionWhenFirstSeen()
    {
        final RingWriter slow = new RingWriter(segment, true, SESSION_A);
        movePastPositionZero(slow);
        assertEquals(32, slow.claim(8, new BufferClaim()));

        reader.checkForStalledClaim(0);

        assertEquals(16, ring.getLongVolatile(SUSPECTED_CLAIM_POSITION_OFFSET));
    }

    @Test
    void anOfferWhoseRecordWasAnnouncedCommitsByCasSoACommitAfterTheSkipLeavesNothing()
    {
        final RingWriter slow = new RingWriter(segment, true, SESSION_A);
        movePastPositionZero(slow);
        final BufferClaim claim = new BufferClaim();
        assertEquals(32, slow.claim(8, claim));            // claimed at 16 and filled, as a copying offer does
        claim.buffer().putLong(0, 0xA);
        reader.checkForStalledClaim(0);                    // announced
        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(TIMEOUT_NS);           // skipped
        assertEquals(0, poll());
        assertEquals(32, reader.position());

        slow.commitCopied(16, RING_OFFSET + 16, 8);        // the offer's commit, after its copy

        assertEquals(0, ring.getIntVolatile(RING_OFFSET + 16 + LENGTH_OFFSET), "free space stays zero");
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void anOfferWhoseRecordWasNeverAnnouncedCommitsWithAPlainStore()
    {
        // The fast path: with no announcement at or above its position, the commit stores its length whatever the
        // header holds; a CAS from the claimed length would leave the word as it finds it.
        final RingWriter publisher = new RingWriter(segment, true, SESSION_A);
        movePastPositionZero(publisher);
        assertEquals(32, publisher.claim(8, new BufferClaim()));
        ring.putIntVolatile(RING_OFFSET + 16 + LENGTH_OFFSET, 0);

        publisher.commitCopied(16, RING_OFFSET + 16, 8);

        assertEquals(8 + HEADER_LENGTH, ring.getIntVolatile(RING_OFFSET + 16 + LENGTH_OFFSET));
    }

    @Test
    void theGraceCountsFromTheCheckAfterTheAnnouncementEvenWithAZeroTimeout()
    {
        final RingReader graceful = new RingReader(segment, true, 0, GRACE_NS, session -> false);
        new RingWriter(segment, true, SESSION_A).claim(8, new BufferClaim());
        graceful.checkForStalledClaim(0);                  // announced
        graceful.checkForStalledClaim(GRACE_NS);           // the clock starts here, not at the announcement
        graceful.checkForStalledClaim(2 * GRACE_NS - 1);
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET), "not skipped within the grace");

        graceful.checkForStalledClaim(2 * GRACE_NS);

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void aClaimOfAPublisherKnownDeadIsSkippedNoSoonerThanTheGrace()
    {
        final RingReader graceful = new RingReader(segment, true, Long.MAX_VALUE / 2, GRACE_NS, session -> true);
        new RingWriter(segment, true, SESSION_A).claim(8, new BufferClaim());
        graceful.checkForStalledClaim(0);
        graceful.checkForStalledClaim(10);
        graceful.checkForStalledClaim(10 + GRACE_NS - 1);
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET), "not skipped within the grace");

        graceful.checkForStalledClaim(10 + GRACE_NS);

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void anMpscReaderWaitsTheDefaultGraceEvenForADeadClaimerWithAZeroTimeout()
    {
        final RingReader mpsc = new RingReader(segment, true, 0, session -> true);
        new RingWriter(segment, true, SESSION_A).claim(8, new BufferClaim());
        mpsc.checkForStalledClaim(0);
        mpsc.checkForStalledClaim(0);
        mpsc.checkForStalledClaim(RingReader.SKIP_GRACE_NS - 1);
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
        mpsc.checkForStalledClaim(RingReader.SKIP_GRACE_NS);
        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void anSpscReaderHasNoGrace()
    {
        final ChannelSegment spscSegment =
            InMemorySegments.create(new ChannelConfig(ChannelMode.SPSC, CAPACITY, CAPACITY / 8));
        final RingReader spsc = new RingReader(spscSegment, false, 0, session -> true);
        new RingWriter(spscSegment, false, SESSION_A).claim(8, new BufferClaim());
        spsc.checkForStalledClaim(0);
        spsc.checkForStalledClaim(0);
        assertEquals(1, spscSegment.buffer().getLongVolatile(LOST_CLAIMS_OFFSET), "skipped at the second sighting");
    }

    @Test
    void aZeroedGapIsAnnouncedUpToTheLastPositionItsSkipMayCover()
    {
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 48);   // claims with no header yet: the gap may run to 48

        reader.checkForStalledClaim(0);

        assertEquals(40, ring.getLongVolatile(SUSPECTED_CLAIM_POSITION_OFFSET));
    }

    @Test
    void aNewReaderAnnouncesAStallAgainAndWaitsTheWholeGrace()
    {
        new RingWriter(segment, true, SESSION_A).claim(8, new BufferClaim());
        final RingReader first = new RingReader(segment, true, 0, GRACE_NS, session -> true);
        first.checkForStalledClaim(0);
        first.checkForStalledClaim(0);                     // the clock started; then this reader dies
        ring.putLongVolatile(SUSPECTED_CLAIM_POSITION_OFFSET, -1); // and a stray write spoils its announcement

        final RingReader successor = new RingReader(segment, true, 0, GRACE_NS, session -> true);
        successor.checkForStalledClaim(GRACE_NS);          // its own first sighting: announces, starts nothing
        assertEquals(0, ring.getLongVolatile(SUSPECTED_CLAIM_POSITION_OFFSET), "position 0 announced again");
        successor.checkForStalledClaim(GRACE_NS + 1);
        successor.checkForStalledClaim(2 * GRACE_NS);
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET), "the predecessor's clock does not count");

        successor.checkForStalledClaim(2 * GRACE_NS + 1);

        assertEquals(1, ring.getLongVolatile(LOST_CLAIMS_OFFSET));
    }

    @Test
    void aSubscriberThatSleepsBetweenPollsSkipsAStallInThreeDueChecks()
    {
        // A subscriber asleep on its doorbell polls a few times per wake-up: counting to 256 empty polls between
        // checks would stretch the three checks an MPSC skip takes to seconds, so it checks after each sleep.
        final RingReader sleeper = new RingReader(segment, true, 1, 0, session -> false);
        new RingWriter(segment, true, SESSION_A).claim(8, new BufferClaim());
        waitOutTheStallCheckInterval();
        sleeper.checkForStalledClaimIfDue();                // announces
        sleeper.checkForStalledClaimIfDue();                // too soon: does nothing
        waitOutTheStallCheckInterval();
        sleeper.checkForStalledClaimIfDue();                // starts the clock
        assertEquals(0, ring.getLongVolatile(LOST_CLAIMS_OFFSET), "the 1 ns timeout counts from here");
        waitOutTheStallCheckInterval();

        sleeper.checkForStalledClaimIfDue();

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
