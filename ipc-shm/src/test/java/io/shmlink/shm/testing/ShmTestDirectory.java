package io.shmlink.shm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A fresh registry directory under {@code /dev/shm} for one test, where cross-process tests really share memory
 * (JUnit's temporary directories live on disk), and its removal afterwards.
 */
public final class ShmTestDirectory
{
    private ShmTestDirectory()
    {
    }

    /**
     * Creates a directory (mode 0700, as {@code Files.createTempDirectory} makes it).
     *
     * @param prefix of its name.
     * @return the directory.
     * @throws IOException if it cannot be created.
     */
    public static Path create(final String prefix) throws IOException
    {
        return Files.createTempDirectory(Path.of("/dev/shm"), prefix);
    }

    /**
     * The names of the files in a directory that a filter accepts.
     *
     * @param dir   the directory.
     * @param which the names to keep.
     * @return their names, sorted.
     * @throws IOException if the directory cannot be listed.
     */
    public static List<String> names(final Path dir, final Predicate<String> which) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(path -> path.getFileName().toString()).filter(which).sorted().toList();
        }
    }

    /**
     * Deletes a directory and everything below it.
     *
     * @param dir the directory.
     * @throws IOException if something cannot be deleted.
     */
    public static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
