package io.shmlink.examples.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * A fresh directory under /dev/shm for one test, removed afterwards; nothing touches the user's real registry.
 */
final class TestRegistryDirectory
{
    private TestRegistryDirectory()
    {
    }

    /** A path that does not exist yet, so tests can decide who creates it and with which mode. */
    static Path newPath(final String purpose)
    {
        return Path.of("/dev/shm", "shmlink-cli-it-" + purpose + "-" + UUID.randomUUID());
    }

    /** A new directory with the registry's own mode, 0700. */
    static Path create(final String purpose) throws IOException
    {
        final Path dir = newPath(purpose);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    static void deleteRecursively(final Path dir) throws IOException
    {
        if (dir == null || !Files.exists(dir))
        {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attributes) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path directory, final IOException ex) throws IOException
            {
                if (ex != null)
                {
                    throw ex;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
