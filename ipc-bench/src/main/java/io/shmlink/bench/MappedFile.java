package io.shmlink.bench;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A file mapped read-write into this process, seen through an {@link UnsafeBuffer}. This is how the Agrona
 * baselines and the floor get the same kind of memory ShmLink uses: a shared mapping of a {@code /dev/shm} file.
 * <p>
 * {@link #close()} unmaps at once; touching the buffer afterwards crashes the JVM, so close only after the last use.
 */
public final class MappedFile implements AutoCloseable
{
    /** The stride of the pre-touch: the smallest page a mapping of /dev/shm has. */
    private static final int PAGE_SIZE = 4096;

    private final MappedByteBuffer mapping;
    private final UnsafeBuffer buffer;
    private boolean closed;

    private MappedFile(final MappedByteBuffer mapping)
    {
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
    }

    /**
     * Creates (or truncates) a file of a given length, zero-filled, and maps it. Zero-filling also faults every page
     * in, so the first round trips do not pay for page faults.
     *
     * @param file   the file.
     * @param length its length in bytes.
     * @return the mapping.
     */
    public static MappedFile createNew(final Path file, final int length)
    {
        return new MappedFile(IoUtil.mapNewFile(file.toFile(), length));
    }

    /**
     * Maps an existing file whole and pre-touches it, as ShmLink's attach does its segment: every page is faulted in,
     * writable, in this process before the caller's first use, so no page fault lands in a measured loop (a mapping
     * has page-table entries per process: the creator's zero-fill faulted in only its own). Each page is touched by
     * an atomic add of zero to its first long, which leaves the contents as they are even if a peer already writes.
     *
     * @param file the file, made by {@link #createNew(Path, int)} in this or another process.
     * @return the mapping.
     */
    public static MappedFile mapExisting(final Path file)
    {
        final MappedFile mapped = new MappedFile(IoUtil.mapExistingFile(file.toFile(), file.getFileName().toString()));
        final UnsafeBuffer buffer = mapped.buffer;
        for (int offset = 0; offset <= buffer.capacity() - Long.BYTES; offset += PAGE_SIZE)
        {
            buffer.getAndAddLong(offset, 0);
        }
        return mapped;
    }

    /**
     * @return the mapped memory; page-aligned, so offset 0 starts a cache line.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Unmaps the file; the file itself stays.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapping);
        }
    }
}
