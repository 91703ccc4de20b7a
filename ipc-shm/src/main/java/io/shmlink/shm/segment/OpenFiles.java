package io.shmlink.shm.segment;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The files this process has open, by their {@code /proc/self/fd} entries: a path to an open file that leads to
 * that very file whatever has become of its name since (the kernel follows such an entry to the open file, not
 * to a name), so a {@code chmod}, {@code chown} or {@code bind} through it acts as {@code fchmod}, {@code fchown}
 * or a {@code bind} relative to a directory handle would; Java has none of those.
 */
public final class OpenFiles
{
    private static final Path DESCRIPTORS = Path.of("/proc/self/fd");

    private OpenFiles()
    {
    }

    /**
     * The {@code /proc/self/fd} entry of a file this process has open. Valid for as long as the caller keeps the
     * file open.
     *
     * @param fileKey the file's key (device and inode), from its attributes.
     * @return the entry, or null if this process has no such file open.
     * @throws IOException if {@code /proc/self/fd} cannot be read.
     */
    public static Path find(final Object fileKey) throws IOException
    {
        if (fileKey == null)
        {
            return null;
        }
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(DESCRIPTORS))
        {
            for (final Path descriptor : descriptors)
            {
                try
                {
                    if (fileKey.equals(Files.readAttributes(descriptor, BasicFileAttributes.class).fileKey()))
                    {
                        return descriptor;
                    }
                }
                catch (final IOException closedMeanwhile)
                {
                    // another thread's descriptor, closed since the listing: not the one looked for
                }
            }
        }
        return null;
    }
}
