package io.shmlink.shm.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Undoing, on a failure or a close, what a registry file's owner had opened or made, where a failure to undo it
 * changes nothing: what a dead owner leaves is the registry's debris cleanup's to remove ({@code cleanStale}
 * removes unlocked alive files, and the doorbell sockets and staging directories of dead processes).
 */
public final class QuietCleanup
{
    private QuietCleanup()
    {
    }

    /**
     * Closes a channel, a selector or a socket we no longer need, ignoring a failure: nothing is to be done about it.
     *
     * @param closeable what to close; null is ignored.
     */
    public static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignored)
            {
                // nothing left to do with it
            }
        }
    }

    /**
     * Deletes a file if it exists, ignoring a failure: a leftover is removed by the registry's debris cleanup.
     *
     * @param file what to delete.
     */
    public static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // left for the debris cleanup, which removes a dead owner's files
        }
    }
}
