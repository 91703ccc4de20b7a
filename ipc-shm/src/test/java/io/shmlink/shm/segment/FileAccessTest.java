package io.shmlink.shm.segment;

import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Modes and groups are set on the file or directory this process made, never through a path another member of a
 * shared directory could have swapped for a link (or for another file) since: such a swap is refused, naming what
 * the path is now, and the file the link leads to keeps its mode and group.
 */
class FileAccessTest
{
    @RegisterExtension
    final TempRegistry shared = TempRegistry.directoryOnly("shmlink-file-access-test-");
    @RegisterExtension
    final TempRegistry victim = TempRegistry.directoryOnly("shmlink-file-access-victim-");
    private FileAccess access;
    private String group;

    @BeforeEach
    void setUp() throws IOException
    {
        group = Files.readAttributes(shared.directory(), PosixFileAttributes.class).group().getName();
        access = FileAccess.sharedWithGroup(group);
    }

    @Test
    void theOpenFileGetsItsModeAndGroupWhateverItWasCreatedWith() throws IOException
    {
        final Path file = shared.directory().resolve("made");
        try (FileChannel ignored = create(file))
        {
            assertEquals("rw-------", mode(file), "created private");
            access.applyToOpen(file);
        }
        assertEquals("rw-rw----", mode(file));
        assertEquals(group, Files.readAttributes(file, PosixFileAttributes.class).group().getName());
    }

    @Test
    void aFileSwappedForALinkBeforeItsModeIsSetIsRefusedAndWhereTheLinkLeadsIsUntouched() throws IOException
    {
        final Path target = Files.createFile(victim.directory().resolve("secret"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        final Path file = shared.directory().resolve("made");
        try (FileChannel ignored = create(file))
        {
            Files.move(file, shared.directory().resolve("aside"), StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(file, target);
            final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> access.applyToOpen(file));
            assertTrue(refused.getMessage().startsWith("refusing to set the mode of " + file + ": "),
                refused.getMessage());
            assertTrue(refused.getMessage().contains("it is now a symbolic link of owner "), refused.getMessage());
        }
        assertEquals("rw-------", mode(target), "the link's target keeps its mode");
    }

    @Test
    void aFileSwappedForAnotherFileThisProcessHasNotOpenIsRefusedAndUntouched() throws IOException
    {
        final Path file = shared.directory().resolve("made");
        try (FileChannel ignored = create(file))
        {
            Files.move(file, shared.directory().resolve("aside"), StandardCopyOption.ATOMIC_MOVE);
            Files.createFile(file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> access.applyToOpen(file));
            assertTrue(refused.getMessage().contains("replaced by one it does not have open; it is now a file of " +
                "owner " + System.getProperty("user.name") + ", group "), refused.getMessage());
            assertTrue(refused.getMessage().contains("mode 0640 (rw-r-----)"), refused.getMessage());
        }
        assertEquals("rw-r-----", mode(shared.directory().resolve("made")));
    }

    @Test
    void ownerOnlyNeedsNoOpenFileAndOnlyWidensAModeTheUmaskNarrowed() throws IOException
    {
        // owner only, the path is trusted (nobody else may write the directory): no /proc/self/fd lookup, so a file
        // this process does not have open is accepted, where shared access refuses it
        final Path narrowed = Files.createFile(shared.directory().resolve("narrowed"));
        Files.setPosixFilePermissions(narrowed, PosixFilePermissions.fromString("r--------"));
        FileAccess.OWNER_ONLY.applyToOpen(narrowed);
        assertEquals("rw-------", mode(narrowed));
        final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> access.applyToOpen(narrowed));
        assertTrue(refused.getMessage().contains("does not have open"), refused.getMessage());

        final Path link = Files.createSymbolicLink(shared.directory().resolve("link"),
            Files.createFile(victim.directory().resolve("v")));
        Files.setPosixFilePermissions(victim.directory().resolve("v"), PosixFilePermissions.fromString("r--------"));
        assertThrows(ShmLinkException.class, () -> FileAccess.OWNER_ONLY.applyToOpen(link));
        assertEquals("r--------", mode(victim.directory().resolve("v")), "a link is never followed");
    }

    @Test
    void aDirectoryIsCreatedPrivateThenGivenItsGroupThenItsMode() throws IOException
    {
        final Path directory = shared.directory().resolve("dir");
        access.createDirectory(directory);
        assertEquals("rwxrwx---", mode(directory));
        assertEquals(group, Files.readAttributes(directory, PosixFileAttributes.class).group().getName());
        FileAccess.OWNER_ONLY.createDirectory(shared.directory().resolve("own"));
        assertEquals("rwx------", mode(shared.directory().resolve("own")));
    }

    @Test
    void aDirectorySwappedForALinkIsNotOpenedAsTheOneMade() throws IOException
    {
        final Path link = Files.createSymbolicLink(shared.directory().resolve("dir"), victim.directory());
        final ShmLinkException refused =
            assertThrows(ShmLinkException.class, () -> FileAccess.openCreatedDirectory(link).close());
        assertTrue(refused.getMessage().contains("replaced by another file; it is now a symbolic link"),
            refused.getMessage());
        assertEquals("rwx------", mode(victim.directory()));
    }

    private static FileChannel create(final Path file) throws IOException
    {
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE), FileAccess.creationMode());
    }

    private static String mode(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(
            Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions());
    }
}
