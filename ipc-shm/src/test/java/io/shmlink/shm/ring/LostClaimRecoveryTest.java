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
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * MPSC recovery of claims that are never committed, step by step with explicit times, where the jcstress tests
 * {@code MpscZeroGapTest} and {@code MpscLostClaimTest} race the same steps. Regression tests for what those found.
 */
class LostClaimRecoveryTest
{
    private static final int CAPACITY = 4096;
    private static final long TIMEOUT_NS = 1_000;
    private static final int SESSION_A = (1 << 7) | 1;
    private static final int SESSION_B = (1 << 7) | 2;

    private final ChannelSegment segment =
        InMemorySegments.create(new ChannelConfig(ChannelMode.MPSC, CAPACITY, CAPACITY / 8));
    private final UnsafeBuffer ring = segment.buffer();
    private final RingReader reader = new RingReader(segment, true, TIMEOUT_NS, session -> false);
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
}
