package io.shmlink.shm.ring;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import io.shmlink.shm.segment.SegmentDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPSC copying send writes the message before it claims, the part in the record's first line last
 * ({@code docs/DESIGN.md}, "Claim, write, commit, abort"): every byte lands where the subscriber reads it, on either
 * side of the first line's end and across the ring's end, and what a send that died while copying left past the
 * tail is never delivered.
 */
class SpscCopyingSendTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX_MESSAGE = CAPACITY / 8;
    private static final int SESSION_A = (1 << 7) | 1;
    private static final int SESSION_B = (1 << 7) | 2;

    private final ChannelSegment segment =
        InMemorySegments.create(new ChannelConfig(ChannelMode.SPSC, CAPACITY, MAX_MESSAGE));
    private final RingReader reader = new RingReader(segment, false);
    private final List<byte[]> received = new ArrayList<>();

    private int poll()
    {
        return reader.read((buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            received.add(bytes);
        }, 1000);
    }

    /** A message whose every byte depends on its number and its index, so that a byte out of place shows. */
    private static byte[] message(final int number, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(number * 31 + i * 7 + 1);
        }
        return bytes;
    }

    private static DirectBuffer at(final byte[] bytes, final int offset)
    {
        return at(bytes, offset, false);
    }

    /** The message at {@code offset} of a buffer over a heap array, or over memory outside the heap. */
    private static DirectBuffer at(final byte[] bytes, final int offset, final boolean offHeap)
    {
        final int capacity = offset + bytes.length;
        final UnsafeBuffer buffer =
            offHeap ? new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)) : new UnsafeBuffer(new byte[capacity]);
        buffer.putBytes(offset, bytes);
        return buffer;
    }

    @ParameterizedTest(name = "off the heap: {0}")
    @ValueSource(booleans = {false, true})
    void everyLengthOnEitherSideOfTheFirstLinesEndArrivesByteForByteAcrossTheRingsEnd(final boolean offHeap)
    {
        final SpscRingWriter writer = new SpscRingWriter(segment, SESSION_A);
        int number = 0;
        int paddedWraps = 0;
        long end = 0;
        // every length from empty to two lines and a bit, then longer ones: many laps, with padding at the end
        for (int lap = 0; lap < 3; lap++)
        {
            for (int length = 0; length <= MAX_MESSAGE; length += length < 140 ? 1 : 61)
            {
                final byte[] sent = message(number, length);
                final long after = writer.write(at(sent, 3, offHeap), 3, length);
                assertTrue(after > 0, "length " + length);
                if (after - RecordDescriptor.recordLength(length) != end)
                {
                    paddedWraps++; // the record went to the ring's start, behind padding
                }
                end = after;
                assertEquals(1, poll(), "length " + length);
                assertEquals(List.of(), diff(sent, received.remove(0)), "message " + number + " of " + length);
                number++;
            }
        }
        assertTrue(paddedWraps > 0, "no record was placed behind padding");
    }

    @Test
    void aHeapAReadOnlyAndADirectByteBufferArriveByteForByte()
    {
        final SpscRingWriter writer = new SpscRingWriter(segment, SESSION_A);
        final int length = 150;
        final byte[] sent = message(7, length);
        final ByteBuffer heap = ByteBuffer.allocate(length + 5);
        heap.position(5);
        heap.put(sent);
        final ByteBuffer direct = ByteBuffer.allocateDirect(length + 5);
        direct.position(5);
        direct.put(sent);
        for (final ByteBuffer source : List.of(heap, heap.asReadOnlyBuffer(), direct))
        {
            assertTrue(writer.write(source, 5, length) > 0, source.toString());
            assertEquals(1, poll(), source.toString());
            assertEquals(List.of(), diff(sent, received.remove(0)), source.toString());
        }
    }

    @Test
    void whatASendThatDiedWhileCopyingLeftPastTheTailIsNeverDelivered()
    {
        final SpscRingWriter dead = new SpscRingWriter(segment, SESSION_A);
        assertTrue(dead.write(at(message(0, 100), 0), 0, 100) > 0);
        assertEquals(1, poll(), "the message before the death");
        // A dies while copying its next message: the bytes lie past the tail, the header word at the tail is still
        // zero. Garbage shaped like committed records over the rest of the ring, so that a reader that looked past
        // the zero, or a successor that left a boundary unzeroed, would deliver it.
        final int tailIndex = (int)segment.buffer().getLongVolatile(SegmentDescriptor.TAIL_POSITION_OFFSET) &
            (CAPACITY - 1);
        for (int offset = RecordDescriptor.HEADER_LENGTH; offset < CAPACITY; offset += 8)
        {
            segment.buffer().putLong(SegmentDescriptor.RING_OFFSET + ((tailIndex + offset) & (CAPACITY - 1)),
                RecordDescriptor.header(16, SESSION_A));
        }
        assertEquals(0, poll(), "nothing of the message being copied");

        final SpscRingWriter successor = new SpscRingWriter(segment, SESSION_B);
        for (int number = 1; number <= 30; number++)
        {
            final int length = 20 * (number % 7) + 1;
            assertTrue(successor.write(at(message(number, length), 0), 0, length) > 0);
            assertEquals(1, poll(), "message " + number + " alone");
            assertEquals(List.of(), diff(message(number, length), received.get(number)), "message " + number);
        }
    }

    @Test
    void aSendRacingACloseClaimsNothingOnceAnotherPublisherOwnsTheTail()
    {
        final SpscRingWriter closed = new SpscRingWriter(segment, SESSION_A);
        // A's publisher was closed while its thread was about to send; B attached at the same tail and sent
        final SpscRingWriter next = new SpscRingWriter(segment, SESSION_B);
        assertTrue(next.write(at(message(1, 8), 0), 0, 8) > 0);
        final long tailOfB = segment.buffer().getLongVolatile(SegmentDescriptor.TAIL_POSITION_OFFSET);

        assertEquals(Publisher.CLOSED, closed.write(at(message(2, 100), 0), 0, 100));

        assertEquals(tailOfB, segment.buffer().getLongVolatile(SegmentDescriptor.TAIL_POSITION_OFFSET),
            "the tail stays B's");
        assertTrue(next.write(at(message(3, 8), 0), 0, 8) > 0);
        assertEquals(2, poll(), "B's two records, and no record of A's");
        assertEquals(List.of(), diff(message(3, 8), received.get(1)), "B's record after A's attempt");
    }

    private static List<String> diff(final byte[] expected, final byte[] actual)
    {
        final List<String> differences = new ArrayList<>();
        if (expected.length != actual.length)
        {
            differences.add("length " + actual.length + " instead of " + expected.length);
            return differences;
        }
        for (int i = 0; i < expected.length; i++)
        {
            if (expected[i] != actual[i])
            {
                differences.add("byte " + i + ": " + actual[i] + " instead of " + expected[i]);
            }
        }
        return differences;
    }
}
