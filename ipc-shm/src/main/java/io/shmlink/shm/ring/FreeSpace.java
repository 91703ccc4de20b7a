package io.shmlink.shm.ring;

import io.shmlink.shm.segment.FreeWord;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;

/**
 * Marks the space an MPSC reader releases free for its next lap ({@link FreeWord}): a publisher whose walk to the
 * end of the records stood still before its header CAS finds on waking a record, or space released for a later lap,
 * where it read this lap's free word; either way its CAS fails and it writes nothing.
 * <p>
 * Marks by copying from a page of the current free word (C2 compiles that copy to its vectorised stub), with a
 * loop of long stores for short ranges, where the copy's set-up costs more than it saves. The page is refilled
 * once a lap. One instance per reader.
 */
public final class FreeSpace
{
    /** From this many bytes on, a range is marked by copying from {@link #pattern}. */
    private static final int COPY_THRESHOLD = 64;

    private final long ringAddress;
    private final int capacity;
    private final int capacityShift;
    private final byte[] pattern = new byte[4096];
    private final UnsafeBuffer patternView = new UnsafeBuffer(pattern);
    private long patternWord;

    /**
     * @param ringAddress the address of the ring's first byte.
     * @param capacity    the ring's capacity, a power of two.
     */
    public FreeSpace(final long ringAddress, final int capacity)
    {
        this.ringAddress = ringAddress;
        this.capacity = capacity;
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
        fillPattern(FreeWord.of(0, capacityShift) + 1); // anything but a free word: the first mark fills it
    }

    /**
     * Marks released space free for its next lap: each word at position {@code p} gets the free word of
     * {@code p + capacity}. In two parts if the range wraps.
     *
     * @param from   the first position released, 8-aligned.
     * @param length bytes released, a multiple of 8, at most the capacity.
     */
    public void release(final long from, final int length)
    {
        final int index = (int)from & (capacity - 1);
        final int firstPart = Math.min(length, capacity - index);
        fill(index, firstPart, FreeWord.of(from + capacity, capacityShift));
        if (length > firstPart)
        {
            fill(0, length - firstPart, FreeWord.of(from + 2L * capacity, capacityShift));
        }
    }

    /**
     * Stores {@code word} into {@code length} bytes from {@code index}, which stay inside the ring: the caller
     * splits at its end, and both are multiples of 8.
     */
    private void fill(final int index, final int length, final long word)
    {
        final long start = ringAddress + index;
        if (length < COPY_THRESHOLD)
        {
            for (int offset = 0; offset < length; offset += ALIGNMENT)
            {
                UnsafeApi.putLong(null, start + offset, word);
            }
            return;
        }
        if (word != patternWord)
        {
            fillPattern(word);
        }
        long address = start;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, pattern.length);
            UnsafeApi.copyMemory(pattern, BufferUtil.ARRAY_BASE_OFFSET, null, address, chunk);
            address += chunk;
            remaining -= chunk;
        }
    }

    private void fillPattern(final long word)
    {
        for (int i = 0; i < pattern.length; i += ALIGNMENT)
        {
            patternView.putLong(i, word);
        }
        patternWord = word;
    }
}
