package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import io.shmlink.shm.segment.SegmentDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.shmlink.shm.ring.MpscRingFixture.message;
import static io.shmlink.shm.ring.MpscRingFixture.sendNumberedUntilFull;
import static io.shmlink.shm.ring.RecordDescriptor.recordLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPSC publisher zeroes record boundaries ahead of its tail after each copying send ({@code docs/DESIGN.md},
 * "Claim, write, commit, abort"): only where the subscriber has released the space, and never from the commit of a
 * claim, which may come after another publisher attached.
 */
class SpscZeroAheadTest
{
    private static final int CAPACITY = 4096;
    private static final int SESSION_A = (1 << 7) | 1;
    private static final int SESSION_B = (1 << 7) | 2;

    private final ChannelSegment segment =
        InMemorySegments.create(new ChannelConfig(ChannelMode.SPSC, CAPACITY, CAPACITY / 8));
    private final RingReader reader = new RingReader(segment, false);
    private final List<Long> received = new ArrayList<>();

    private int poll()
    {
        return reader.read((buffer, offset, length) -> received.add(buffer.getLong(offset)), 1000);
    }

    @Test
    void aFullRingKeepsEveryUnreadRecordWhole()
    {
        final int sent = sendNumberedUntilFull(new SpscRingWriter(segment, SESSION_A));
        assertEquals((CAPACITY - RecordDescriptor.HEADER_LENGTH) / recordLength(8), sent);

        assertEquals(sent, poll(), "zeroing ahead stopped at the unread records of the lap before");
        for (int i = 0; i < sent; i++)
        {
            assertEquals(i, received.get(i));
        }
    }

    @Test
    void aClaimCommittedAfterItsPublisherLeftNeverTouchesWhatTheNextPublisherWrote()
    {
        final BufferClaim claim = new BufferClaim();
        assertTrue(new SpscRingWriter(segment, SESSION_A).claim(8, claim) > 0);
        claim.buffer().putLong(claim.offset(), 0xA);
        // A's publisher is closed with the claim open; B attaches at the tail after it and sends two messages
        final SpscRingWriter next = new SpscRingWriter(segment, SESSION_B);
        assertTrue(next.write(message(0xB1), 0, 8) > 0);
        assertTrue(next.write(message(0xB2), 0, 8) > 0);

        claim.commit();

        assertEquals(3, poll());
        assertEquals(List.of(0xAL, 0xB1L, 0xB2L), received);
    }

    /**
     * Over a ring whose every boundary holds a committed record of an earlier lap (what a reader that does not clean
     * leaves), sends of every size by offer, by claims committed whole or shorter, aborts, and a publisher attaching
     * in mid-lap: a stale header read where a zero belongs would be delivered, so the reader must see exactly what
     * was sent.
     */
    @Test
    void sendsOfEverySizeOverAnEarlierLapsRecordsDeliverExactlyWhatWasSent()
    {
        final ChannelSegment stale = InMemorySegments.createAt(
            new ChannelConfig(ChannelMode.SPSC, CAPACITY, CAPACITY / 8), 4L * CAPACITY);
        for (int boundary = 0; boundary < CAPACITY; boundary += RecordDescriptor.ALIGNMENT)
        {
            stale.buffer().putLong(SegmentDescriptor.RING_OFFSET + boundary,
                RecordDescriptor.header(RecordDescriptor.ALIGNMENT, SESSION_B));
        }
        final RingReader staleReader = new RingReader(stale, false);
        SpscRingWriter writer = new SpscRingWriter(stale, SESSION_A);
        final BufferClaim claim = new BufferClaim();
        final UnsafeBuffer source = new UnsafeBuffer(new byte[CAPACITY / 8]);
        final List<Long> expected = new ArrayList<>();
        for (int round = 0; round < 20 * CAPACITY / recordLength(CAPACITY / 16); round++)
        {
            if (round % 97 == 0)
            {
                writer = new SpscRingWriter(stale, SESSION_A); // a publisher attaching where the last one stopped
            }
            final int length = 8 + (round * 37) % (CAPACITY / 8 - 8);
            final long value = round;
            switch (round % 4)
            {
                case 0 ->
                {
                    source.putLong(0, value);
                    assertTrue(writer.write(source, 0, length) > 0);
                    expected.add(value);
                }
                case 1 ->
                {
                    assertTrue(writer.claim(length, claim) > 0);
                    claim.buffer().putLong(claim.offset(), value);
                    claim.commit(8);                                // shorter: padding over the rest
                    expected.add(value);
                }
                case 2 ->
                {
                    assertTrue(writer.claim(length, claim) > 0);
                    claim.abort();
                }
                default ->
                {
                    assertTrue(writer.claim(length, claim) > 0);
                    claim.buffer().putLong(claim.offset(), value);
                    claim.commit();
                    expected.add(value);
                }
            }
            staleReader.read((buffer, offset, messageLength) -> received.add(buffer.getLong(offset)), 1000);
            assertEquals(expected, received, "round " + round);
        }
    }

    @Test
    void sendsOfEverySizeInTurnLapTheRingIntact()
    {
        final SpscRingWriter writer = new SpscRingWriter(segment, SESSION_A);
        final BufferClaim claim = new BufferClaim();
        final UnsafeBuffer source = new UnsafeBuffer(new byte[CAPACITY / 8]);
        long value = 0;
        for (int round = 0; round < 40 * CAPACITY / recordLength(CAPACITY / 16); round++)
        {
            final int length = 8 + (round * 37) % (CAPACITY / 8 - 8);
            source.putLong(0, value);
            if (round % 3 == 0)
            {
                assertTrue(writer.claim(length, claim) > 0);
                claim.buffer().putLong(claim.offset(), value);
                claim.commit();
            }
            else
            {
                final long result = writer.write(source, 0, length);
                assertTrue(result != Publisher.BACK_PRESSURED, "the reader keeps up");
            }
            assertEquals(1, poll(), "every record is committed where the reader looks next");
            assertEquals(value, received.get(received.size() - 1));
            value++;
        }
    }
}
