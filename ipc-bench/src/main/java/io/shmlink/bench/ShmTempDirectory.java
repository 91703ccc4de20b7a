package io.shmlink.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A private temporary directory in {@code /dev/shm}, deleted with everything in it on {@link #close()}.
 * <p>
 * Benchmarks put their rings here rather than in {@code java.io.tmpdir} because a mapping of a disk-backed file can
 * be written back by the kernel mid-run; tmpfs pages never are, which is also how ShmLink itself is deployed.
 */
public final class ShmTempDirectory implements AutoCloseable
{
    private static final Path DEV_SHM = Path.of("/dev/shm");

    private final Path path;
    private final Thread deleteOnExit;

    private ShmTempDirectory(final Path path)
    {
        this.path = path;
        // A benchmark that throws skips its tear-down, and Ctrl-C skips finally blocks; shutdown hooks still run.
        this.deleteOnExit = new Thread(() -> deleteTree(path), "delete " + path);
        Runtime.getRuntime().addShutdownHook(deleteOnExit);
    }

    /**
     * Creates a fresh directory, mode 0700, under {@code /dev/shm} (or {@code java.io.tmpdir} where there is no
     * {@code /dev/shm}, so the code still runs, slower, on other systems). It is deleted at the latest when the JVM
     * exits normally or on a signal.
     *
     * @param prefix start of the directory's name, to tell whose debris it is if a killed run leaves it behind.
     * @return the directory.
     * @throws IOException if it cannot be created.
     */
    public static ShmTempDirectory create(final String prefix) throws IOException
    {
        // createTempDirectory makes the directory 0700 on POSIX file systems.
        return new ShmTempDirectory(Files.createTempDirectory(root(), prefix));
    }

    /**
     * Where {@link #create} makes its directories.
     *
     * @return {@code /dev/shm} if it is a writable directory, else {@code java.io.tmpdir}.
     */
    public static Path root()
    {
        return Files.isDirectory(DEV_SHM) && Files.isWritable(DEV_SHM) ?
            DEV_SHM : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * @return the directory.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Deletes the directory tree. Processes that still map a file keep their mapping; the memory goes when the last
     * mapping does.
     */
    @Override
    public void close()
    {
        deleteTree(path);
        try
        {
            Runtime.getRuntime().removeShutdownHook(deleteOnExit);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook runs anyway, harmlessly
        }
    }

    /**
     * Deletes a directory tree, tolerating files that vanish meanwhile: the echo child of the ping-pong may be
     * cleaning the same tree when its parent failed.
     *
     * @param root the tree to delete; nothing happens if it is absent.
     * @throws UncheckedIOException if a file that exists cannot be deleted.
     */
    public static void deleteTree(final Path root)
    {
        try
        {
            Files.walkFileTree(root, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(final Path file, final IOException ex) throws IOException
                {
                    if (ex instanceof NoSuchFileException)
                    {
                        return FileVisitResult.CONTINUE;
                    }
                    throw ex;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException ex) throws IOException
                {
                    if (ex != null && !(ex instanceof NoSuchFileException))
                    {
                        throw ex;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final NoSuchFileException ex)
        {
            // already gone
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + root, ex);
        }
    }
}
