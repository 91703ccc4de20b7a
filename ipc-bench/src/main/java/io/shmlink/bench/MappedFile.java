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
     * Maps an existing file whole.
     *
     * @param file the file, made by {@link #createNew(Path, int)} in this or another process.
     * @return the mapping.
     */
    public static MappedFile mapExisting(final Path file)
    {
        return new MappedFile(IoUtil.mapExistingFile(file.toFile(), file.getFileName().toString()));
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
