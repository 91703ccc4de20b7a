package io.shmlink.shm.segment;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The free word of an MPSC ring, part of the segment format: every record boundary of free space holds a value that
 * names the lap in which its position will next be used, so that a claim can take its header word only in the lap
 * it was made for ({@code docs/DESIGN.md}, "claim"; {@code io.shmlink.shm.ring.FreeSpace} marks released space).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Frame Length: 0                            |
 *  +---------------------------------------------------------------+
 *  |        Tag: (lap + 1) * 0x9E3779B9, lap = position / capacity |
 *  +---------------------------------------------------------------+
 * </pre>
 * A free word has frame length 0, so a reader takes it for "nothing here yet". Its tag differs for 2^32 laps in a
 * row, is never 0 (a zeroed page is not free space, so a fresh MPSC ring is marked at creation), and looks nothing
 * like the small integers that fill most payloads.
 */
public final class FreeWord
{
    /** 2^32 divided by the golden ratio: odd, so laps 2^32 apart are the first to share a tag. */
    private static final long TAG_MULTIPLIER = 0x9E37_79B9L;

    private FreeWord()
    {
    }

    /**
     * The free word at a position, in the lap of that position.
     *
     * @param position      a ring position.
     * @param capacityShift log2 of the ring's capacity.
     * @return the word that says the position is free in its lap.
     */
    public static long of(final long position, final int capacityShift)
    {
        return (((position >>> capacityShift) + 1) * TAG_MULTIPLIER) << 32;
    }

    /**
     * Marks a whole fresh ring free for its first lap, starting at {@code position}: the words from its index to
     * the end for the lap of {@code position}, the words before it for the next lap.
     *
     * @param buffer     the segment.
     * @param ringOffset where the ring starts in it.
     * @param capacity   the ring's capacity, a power of two.
     * @param position   the ring's first position (head and tail), 64-aligned.
     */
    public static void markFresh(
        final UnsafeBuffer buffer, final int ringOffset, final int capacity, final long position)
    {
        final int shift = Integer.numberOfTrailingZeros(capacity);
        final int firstIndex = (int)position & (capacity - 1);
        final long lapStart = position - firstIndex;
        for (int index = 0; index < capacity; index += Long.BYTES)
        {
            buffer.putLong(ringOffset + index, of(lapStart + index + (index < firstIndex ? capacity : 0), shift));
        }
    }
}
