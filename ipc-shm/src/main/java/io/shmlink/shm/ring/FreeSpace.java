package io.shmlink.shm.ring;

import io.shmlink.shm.segment.FreeWord;
import org.agrona.UnsafeApi;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;

/**
 * Marks the space an MPSC reader releases free for its next lap ({@link FreeWord}): a publisher whose walk to the
 * end of the records stood still before its header CAS finds on waking a record, or space released for a later lap,
 * where it read this lap's free word; either way its CAS fails and it writes nothing.
 * <p>
 * Records start only on {@link RecordDescriptor#ALIGNMENT} boundaries, and a walk reads header words only there, so
 * one store per boundary marks a range: one line of the ring each. One instance per reader.
 */
public final class FreeSpace
{
    private final long ringAddress;
    private final int capacity;
    private final int capacityShift;

    /**
     * @param ringAddress the address of the ring's first byte.
     * @param capacity    the ring's capacity, a power of two.
     */
    public FreeSpace(final long ringAddress, final int capacity)
    {
        this.ringAddress = ringAddress;
        this.capacity = capacity;
        this.capacityShift = Integer.numberOfTrailingZeros(capacity);
    }

    /**
     * Marks released space free for its next lap: each record boundary at position {@code p} gets the free word of
     * {@code p + capacity}. In two parts if the range wraps.
     *
     * @param from   the first position released, on a record boundary.
     * @param length bytes released, a multiple of the alignment, at most the capacity.
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
     * Stores {@code word} at each boundary of {@code length} bytes from {@code index}, which stay inside the ring:
     * the caller splits at its end, and both are multiples of the alignment.
     */
    private void fill(final int index, final int length, final long word)
    {
        final long start = ringAddress + index;
        for (int offset = 0; offset < length; offset += ALIGNMENT)
        {
            UnsafeApi.putLong(null, start + offset, word);
        }
    }
}
