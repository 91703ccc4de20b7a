package io.shmlink.shm.testing;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * An array of longs in a memory-mapped file that survives a {@code kill -9} of the process writing it: a store
 * into a shared mapping is in the page cache the moment it executes, with no write call that a kill could cut
 * short. Word 0 counts the entries appended; entries follow. The file is sparse, so a generous size costs only
 * what is written. Used by soak children to record, before they go on, what they did.
 */
public final class DurableLog implements AutoCloseable
{
    private static final int HEADER = 8;

    private final MappedByteBuffer mapping;
    private final UnsafeBuffer buffer;
    private final long capacity;

    private DurableLog(final MappedByteBuffer mapping, final long capacity)
    {
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
        this.capacity = capacity;
    }

    /**
     * Opens a log, creating it with room for {@code capacity} longs if absent.
     *
     * @param file     the log file.
     * @param capacity entries it can hold.
     * @return the log.
     * @throws IOException if the file cannot be made.
     */
    public static DurableLog open(final Path file, final long capacity) throws IOException
    {
        final long length = HEADER + capacity * 8;
        if (length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("at most " + (Integer.MAX_VALUE - HEADER) / 8 + " entries");
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            if (raf.length() < length)
            {
                raf.setLength(length);
            }
        }
        return new DurableLog(IoUtil.mapExistingFile(file.toFile(), file.getFileName().toString()), capacity);
    }

    /**
     * Appends an entry: the entry first, then the count (release), so a reader that sees the count sees it.
     *
     * @param value the entry.
     * @return false if the log is full.
     */
    public boolean append(final long value)
    {
        final long count = buffer.getLong(0);
        if (count >= capacity)
        {
            return false;
        }
        buffer.putLong(HEADER + (int)count * 8, value);
        buffer.putLongRelease(0, count + 1);
        return true;
    }

    /** @return entries appended. */
    public long count()
    {
        return buffer.getLongAcquire(0);
    }

    /**
     * @param index below {@link #count()}, or any index for a log used as a table.
     * @return the entry.
     */
    public long get(final long index)
    {
        return buffer.getLongVolatile(HEADER + (int)index * 8);
    }

    /**
     * Stores an entry in place, for a log used as a table of counters (release).
     *
     * @param index the entry.
     * @param value its new value.
     */
    public void set(final long index, final long value)
    {
        buffer.putLongRelease(HEADER + (int)index * 8, value);
    }

    /** @return entries it can hold. */
    public long capacity()
    {
        return capacity;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapping);
    }
}
