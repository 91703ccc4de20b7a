package io.shmlink.shm.testing;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Writes arbitrary values into a channel file, as a stray process or a crash could.
 */
public final class SegmentEditor
{
    private SegmentEditor()
    {
    }

    /**
     * Maps a file, lets the caller change it, unmaps it.
     *
     * @param file   the segment file.
     * @param change what to write.
     */
    public static void edit(final Path file, final Consumer<UnsafeBuffer> change)
    {
        final MappedByteBuffer mapping = IoUtil.mapExistingFile(file.toFile(), "test");
        try
        {
            change.accept(new UnsafeBuffer(mapping));
        }
        finally
        {
            IoUtil.unmap(mapping);
        }
    }
}
