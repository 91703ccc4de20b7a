package io.shmlink.shm.ring;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Random;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static org.agrona.BitUtil.align;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The MPSC subscriber marks exactly what it consumed free for its next lap: every record boundary of it, however long
 * or short the batch, and whether or not it wraps the ring end; and nothing beyond it, so the records still waiting
 * arrive intact.
 */
class MpscFreeSpaceTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int SESSION = (1 << 7) | 1;

    private final ChannelSegment segment =
        InMemorySegments.create(new ChannelConfig(ChannelMode.MPSC, CAPACITY, CAPACITY / 8));
    private final UnsafeBuffer ring = segment.buffer();
    private final RingWriter writer = new MpscRingWriter(segment, SESSION);
    private final RingReader reader = new RingReader(segment, true);
    private final StallDetector stalls = new StallDetector(reader, 1_000_000_000L, ClaimerLiveness.UNKNOWN);

    @Test
    void everyConsumedBoundaryIsFreeForItsNextLapAndEveryWaitingRecordIntactOverManyLapsOfMixedBatches()
    {
        final Random random = new Random(42);
        final ArrayDeque<int[]> waiting = new ArrayDeque<>(); // {length, fill} per message written, not yet read
        int sequence = 0;
        long written = 0;
        while (reader.position() < 6L * CAPACITY)
        {
            // Bursts from one tiny message to whole-ring batches, lengths from 0 to 6000 bytes.
            final int burst = 1 + random.nextInt(random.nextBoolean() ? 4 : 60);
            for (int i = 0; i < burst; i++)
            {
                final int length = random.nextInt(8) == 0 ? random.nextInt(6000) : random.nextInt(120);
                final int fill = 1 + (sequence++ % 255);
                final byte[] bytes = new byte[length];
                java.util.Arrays.fill(bytes, (byte)fill);
                if (writer.write(new UnsafeBuffer(bytes), 0, length) < 0)
                {
                    break;
                }
                waiting.add(new int[] {length, fill});
                written += align(length + HEADER_LENGTH, ALIGNMENT);
            }

            final long head = reader.position();
            final int limit = 1 + random.nextInt(random.nextBoolean() ? 3 : 100);
            final int read = reader.read((buffer, offset, length) ->
            {
                final int[] expected = waiting.poll();
                assertNotNull(expected, "a message nobody sent");
                assertEquals(expected[0], length);
                for (int b = 0; b < length; b++)
                {
                    assertEquals((byte)expected[1], buffer.getByte(offset + b), "byte " + b + " of a waiting record");
                }
            }, limit);
            assertTrue(read > 0 || waiting.isEmpty(), "a poll with records waiting delivered nothing");
            assertFreeForNextLap(head, reader.position());
        }
        assertTrue(written > 6L * CAPACITY);
    }

    private void assertFreeForNextLap(final long from, final long to)
    {
        final int shift = Integer.numberOfTrailingZeros(CAPACITY);
        for (long position = from; position < to; position += ALIGNMENT)
        {
            final int index = RING_OFFSET + (int)(position & (CAPACITY - 1));
            if (ring.getLong(index) != FreeWord.of(position + CAPACITY, shift))
            {
                fail("word at position " + position + " was consumed but not marked free for the next lap (batch " +
                    from + ".." + to + ")");
            }
        }
    }
}
