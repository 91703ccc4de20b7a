package io.shmlink.shm.registry;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.ShmTestDirectory;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Where {@link ShmRegistry#open} agrees to put a registry: an absolute path on tmpfs or hugetlbfs whose parent
 * exists, unless an option says otherwise; each refusal names the path and why, and leaves nothing behind.
 */
class RegistryPlacementTest
{
    /** A directory on the build's own disk (under target/), where ext4, xfs, btrfs or overlay live. */
    private static final Path ON_DISK = Path.of("target").toAbsolutePath();

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-placement-test-");
    private Path diskDirectory;

    @AfterEach
    void tearDown() throws IOException
    {
        if (diskDirectory != null && Files.exists(diskDirectory))
        {
            ShmTestDirectory.delete(diskDirectory);
        }
    }

    @Test
    void aMissingDirectoryWhoseParentExistsIsCreated0700() throws IOException
    {
        final Path dir = shm.directory().resolve("fresh");
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            assertEquals(dir, registry.directory());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        }
    }

    @Test
    void aRelativePathIsRefusedNamingIt()
    {
        final Path relative = Path.of("shmlink-relative-" + UUID.randomUUID());

        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(relative));

        assertTrue(ex.getMessage().contains("refusing registry directory " + relative + ": the path is relative"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("allowRelativePath(true)"), ex.getMessage());
        assertFalse(Files.exists(relative.toAbsolutePath()), "a refused path must not be created");
    }

    @Test
    void aRelativePathIsAcceptedWhenAllowed() throws IOException
    {
        final Path relative = Path.of("target", "shmlink-relative-" + UUID.randomUUID());
        diskDirectory = relative.toAbsolutePath();

        try (ShmRegistry registry = ShmRegistry.open(relative,
            new ShmRegistry.Options().allowRelativePath(true).allowNotMemoryBacked(true)))
        {
            assertEquals(relative.toAbsolutePath().normalize(), registry.directory());
            assertTrue(Files.isDirectory(diskDirectory));
        }
    }

    @Test
    void aMissingParentIsRefusedNamingItAndNothingIsCreated()
    {
        final Path parent = shm.directory().resolve("no-such-parent");
        final Path dir = parent.resolve("registry");

        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(dir));

        assertTrue(ex.getMessage().contains("refusing registry directory " + dir + ": its parent " + parent +
            " does not exist"), ex.getMessage());
        assertTrue(ex.getMessage().contains("createParentDirectories(true)"), ex.getMessage());
        assertFalse(Files.exists(parent));
    }

    @Test
    void missingParentsAreCreatedWhenAsked()
    {
        final Path dir = shm.directory().resolve("a").resolve("b").resolve("registry");

        try (ShmRegistry registry = ShmRegistry.open(dir, new ShmRegistry.Options().createParentDirectories(true)))
        {
            registry.create("chan", ChannelConfig.spsc(4096));
            assertTrue(Files.isRegularFile(dir.resolve("chan")));
        }
    }

    @Test
    void aSharedDirectoryUnderOneOthersOrTheGroupMayWriteWithoutTheStickyBitIsRefusedNamingIt() throws IOException
    {
        final String user = System.getProperty("user.name");
        final String group = Files.readAttributes(shm.directory(), PosixFileAttributes.class).group().getName();
        for (final String mode : List.of("rwxrwxrwx", "rwxrwx---", "rwx-w----"))
        {
            final Path open = Files.createDirectory(shm.directory().resolve("open-" + mode.replace('-', '_')));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString(mode));
            final Path existing = Files.createDirectory(open.resolve("existing"));
            for (final Path dir : List.of(existing, open.resolve("missing"), open.resolve("a").resolve("registry")))
            {
                final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(dir,
                    new ShmRegistry.Options().createParentDirectories(true).shareWithGroup(group)),
                    dir + " under " + mode);
                assertTrue(ex.getMessage().startsWith("refusing registry directory " + dir + ": the directory " +
                    open + " above it is writable by "), ex.getMessage());
                assertTrue(ex.getMessage().contains("without the sticky bit (owner " + user + ", group "),
                    ex.getMessage());
                assertTrue(ex.getMessage().contains("(" + mode + ")"), ex.getMessage());
            }
            assertFalse(Files.exists(open.resolve("missing")), "nothing is created there");
            assertFalse(Files.exists(open.resolve("a")), "nothing is created there");
            try (Stream<Path> made = Files.list(existing))
            {
                assertEquals(0, made.count(), "nothing is created in the registry directory either");
            }
        }
        // and one level further up: the directory above a parent the library would create
        final Path grandparent = shm.directory().resolve("open-rwxrwxrwx");
        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(
            grandparent.resolve("closed").resolve("registry"),
            new ShmRegistry.Options().createParentDirectories(true).shareWithGroup(group)));
        assertTrue(ex.getMessage().contains("the directory " + grandparent + " above it"), ex.getMessage());
    }

    @Test
    void anOwnerOnlyRegistryUnderAGroupWritableDirectoryIsAccepted() throws IOException
    {
        // a user-private group's directory under umask 002 is 0775: owner-only registries are not turned away
        final Path open = Files.createDirectory(shm.directory().resolve("upg"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxr-x"));
        try (ShmRegistry registry = ShmRegistry.open(open.resolve("registry")))
        {
            registry.create("chan", ChannelConfig.spsc(4096));
            assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(open.resolve("registry"))));
        }
    }

    @Test
    void aDirectoryUnderAStickyWorldWritableOneIsAccepted() throws IOException
    {
        final Path sticky = Files.createDirectory(shm.directory().resolve("sticky"));
        Files.setPosixFilePermissions(sticky, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        assertEquals(01777, ((Number)Files.getAttribute(sticky, "unix:mode")).intValue() & 07777);
        try (ShmRegistry registry = ShmRegistry.open(sticky.resolve("registry")))
        {
            registry.create("chan", ChannelConfig.spsc(4096));
        }
    }

    @Test
    void parentsTheLibraryCreatesAreOwnerOnly() throws IOException
    {
        final Path dir = shm.directory().resolve("a").resolve("b").resolve("registry");
        try (ShmRegistry ignored = ShmRegistry.open(dir, new ShmRegistry.Options().createParentDirectories(true)))
        {
            for (final Path created :
                List.of(shm.directory().resolve("a"), shm.directory().resolve("a").resolve("b"), dir))
            {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)),
                    created.toString());
            }
        }
    }

    @Test
    void aDirectoryOnDiskIsRefusedNamingTheFileSystemAndWriteback() throws IOException
    {
        final String type = RegistryDirectory.fileSystemType(ON_DISK);
        assumeFalse(type.equals("tmpfs") || type.equals("hugetlbfs"), "the build directory is in memory");
        diskDirectory = Files.createTempDirectory(ON_DISK, "shmlink-on-disk-");

        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(diskDirectory));

        assertTrue(ex.getMessage().contains("refusing registry directory " + diskDirectory + ": it is on a " + type +
            " file system, not a memory-backed one (tmpfs or hugetlbfs)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("written back to disk"), ex.getMessage());
        assertTrue(ex.getMessage().contains("allowNotMemoryBacked(true)"), ex.getMessage());
    }

    @Test
    void aMissingDirectoryOnDiskIsRefusedBeforeItIsCreated()
    {
        final String type;
        try
        {
            type = RegistryDirectory.fileSystemType(ON_DISK);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        assumeFalse(type.equals("tmpfs") || type.equals("hugetlbfs"), "the build directory is in memory");
        final Path dir = ON_DISK.resolve("shmlink-on-disk-" + UUID.randomUUID());

        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(dir));

        assertTrue(ex.getMessage().contains("refusing registry directory " + dir + ": it is on a " + type),
            ex.getMessage());
        assertFalse(Files.exists(dir), "a refused directory must not be left behind");
    }

    @Test
    void aDirectoryOnDiskIsAcceptedWhenAllowed() throws IOException
    {
        diskDirectory = Files.createTempDirectory(ON_DISK, "shmlink-on-disk-");

        try (ShmRegistry registry =
            ShmRegistry.open(diskDirectory, new ShmRegistry.Options().allowNotMemoryBacked(true)))
        {
            registry.create("chan", ChannelConfig.spsc(4096));
            assertTrue(Files.isRegularFile(diskDirectory.resolve("chan")));
        }
    }
}
