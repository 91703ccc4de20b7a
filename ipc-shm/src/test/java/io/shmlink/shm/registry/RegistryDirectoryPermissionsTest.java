package io.shmlink.shm.registry;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The registry directories {@link ShmRegistry#open} refuses (a symbolic link, one others or its group may write, one
 * of another user) and the modes of what it makes: 0700 and 0600 files of its own, or 0770 and 0660 files of the
 * group it is shared with.
 */
class RegistryDirectoryPermissionsTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-directory-permissions-test-");

    private static void assertOpenRefused(final Path dir, final String reason)
    {
        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> ShmRegistry.open(dir));
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    @Test
    void aRegistryDirectoryThatIsASymlinkIsRefused() throws Exception
    {
        final Path target = Files.createDirectory(shm.directory().resolve("real"));
        assertOpenRefused(Files.createSymbolicLink(shm.directory().resolve("link"), target), "symbolic link");
    }

    /** The group-writable one is refused unless the registry is shared with the group: see the next tests. */
    @ParameterizedTest(name = "mode {0}: {1}")
    @CsvSource({"rwxrwxrwx, writable by others", "rwxrwx---, writable by its group"})
    void aRegistryDirectoryOthersOrItsGroupMayWriteIsRefused(final String mode, final String reason) throws Exception
    {
        final Path writable = Files.createDirectory(shm.directory().resolve("writable"));
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString(mode));
        assertOpenRefused(writable, reason);
    }

    @Test
    void aRegistryDirectoryOwnedByAnotherUserIsRefused() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a directory away");
        final Path theirs = Files.createDirectory(shm.directory().resolve("theirs"));
        Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertOpenRefused(theirs, "owned by nobody");
    }

    @Test
    void aRegistrySharedWithAGroupHas0770And0660FilesOfThatGroup() throws Exception
    {
        final String group = Files.readAttributes(shm.directory(), java.nio.file.attribute.PosixFileAttributes.class)
            .group().getName();
        final Path shared = shm.directory().resolve("shared");
        try (ShmRegistry r = ShmRegistry.open(shared, new ShmRegistry.Options().shareWithGroup(group)))
        {
            final Path file = r.create("team", ChannelConfig.spsc(4096)).file();
            assertEquals("rwxrwx---", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(group, Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class)
                .group().getName());
            try (Publisher publisher = r.publisher("team"))
            {
                assertTrue(publisher.offer(new UnsafeBuffer(new byte[1]), 0, 1) > 0);
            }
        }
        assertThrows(ShmLinkException.class, () -> ShmRegistry.open(shared, new ShmRegistry.Options()
            .shareWithGroup("no-such-group-shmlink")).create("x", ChannelConfig.spsc(4096)));
    }

    @Test
    void filesAre0600AndTheDirectory0700() throws Exception
    {
        final Path fresh = shm.directory().resolve("fresh-registry");
        try (ShmRegistry r = ShmRegistry.open(fresh))
        {
            final Path f = r.create("x", ChannelConfig.spsc(4096)).file();
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(f)));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(fresh)));
        }
    }
}
