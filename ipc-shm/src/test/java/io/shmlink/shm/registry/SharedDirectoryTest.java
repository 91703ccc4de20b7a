package io.shmlink.shm.registry;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A registry directory shared with a group ({@code Options.shareWithGroup}): which existing directories are
 * accepted, how each refusal names the path, owner, group and mode, and the modes of what the library creates. The
 * same checks with real users of their own are {@code io.shmlink.shm.CrossUserTest}.
 */
class SharedDirectoryTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-shared-test-");
    private String user;
    private String ownGroup;

    @BeforeEach
    void setUp() throws IOException
    {
        user = System.getProperty("user.name");
        ownGroup = Files.readAttributes(shm.directory(), PosixFileAttributes.class).group().getName();
    }

    @Test
    void groupMembershipIsTheEffectiveTheFileSystemOrASupplementaryGroup()
    {
        final List<String> status = List.of("Name:\tjava", "Uid:\t1000\t1000\t1000\t1000",
            "Gid:\t100\t200\t300\t400", "Groups:\t27 1001 ", "Pid:\t1");
        assertFalse(ProcessGroups.isMember(status, 100), "the real gid does not open files");
        assertTrue(ProcessGroups.isMember(status, 200), "effective");
        assertFalse(ProcessGroups.isMember(status, 300), "the saved gid does not open files");
        assertTrue(ProcessGroups.isMember(status, 400), "file system");
        assertTrue(ProcessGroups.isMember(status, 27), "supplementary");
        assertTrue(ProcessGroups.isMember(status, 1001), "supplementary, last");
        assertFalse(ProcessGroups.isMember(status, 1000), "a uid is no gid");
        assertFalse(ProcessGroups.isMember(List.of("Gid:\t0\t0\t0\t0", "Groups:\t"), 5), "no supplementary groups");
        assertNull(ProcessGroups.isMember(List.of("Name:\tjava"), 0), "no groups listed: unknown");
    }

    @Test
    void aDirectoryOfAnotherGroupIsRefusedNamingItsOwnerGroupAndMode() throws IOException
    {
        final String other = anotherGroup();
        final Path dir = directory("team", "rwxrwx---");

        final String refusal = refusalSharedWith(dir, other);

        assertEquals("refusing registry directory " + dir + ": it belongs to group " + ownGroup + ", not to group " +
            other + " that it is to be shared with (chgrp " + other + " it, or share it with " + ownGroup + ") " +
            "(owner " + user + ", group " + ownGroup + ", mode 0770 (rwxrwx---))", refusal);
        assertEquals(List.of(), files(dir), "nothing created in a refused directory");
    }

    /** Each refusal starts with its reason and ends with the directory's owner, group and mode. */
    @ParameterizedTest(name = "mode {0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "rwxrwxr-x | 0775 | it is accessible by others",
        "rwxrwxrwx | 0777 | it is writable by others",
        "rwxr-x--- | 0750 | its mode is not 0770 (rwxrwx---)"})
    void aSharedDirectoryOthersCanEnterOrWriteOrItsGroupCannotWriteIsRefused(
        final String mode, final String octal, final String reason) throws IOException
    {
        final Path dir = directory("team", mode);

        final String refusal = refusalSharedWith(dir, ownGroup);

        assertTrue(refusal.startsWith("refusing registry directory " + dir + ": " + reason), refusal);
        assertTrue(refusal.endsWith("(owner " + user + ", group " + ownGroup + ", mode " + octal + " (" + mode + "))"),
            refusal);
    }

    @Test
    void theSetgidAndStickyBitsAreAcceptedAndFilesAre0660OfTheGroup() throws IOException
    {
        for (final int mode : new int[] {02770, 01770, 03770})
        {
            final Path dir = directory("team-" + Integer.toOctalString(mode), "rwxrwx---");
            Files.setAttribute(dir, "unix:mode", mode);
            try (ShmRegistry registry = ShmRegistry.open(dir, new ShmRegistry.Options().shareWithGroup(ownGroup)))
            {
                final Path file = registry.create("chan", ChannelConfig.spsc(4096)).file();
                assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            }
            assertEquals(mode, ((Number)Files.getAttribute(dir, "unix:mode")).intValue() & 07777,
                "the directory's mode is left as it was");
        }
    }

    @Test
    void rootOpensAndCleansAnotherUsersSharedDirectoryOfAGroupItIsNotIn() throws IOException
    {
        assumeTrue("root".equals(user), "only root can give a directory away");
        final String other = anotherGroup();
        assumeTrue(Boolean.FALSE.equals(ProcessGroups.isMember(gid(other))), "this process is in " + other);
        final Path dir = directory("theirs", "rwxrwx---");
        final UserPrincipalLookupService names = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(dir, names.lookupPrincipalByName("nobody"));
        Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(names.lookupPrincipalByGroupName(other));

        // as an administrator does (shmlink clean --group): the kernel lets root in, so membership is not asked
        try (ShmRegistry registry = ShmRegistry.open(dir, new ShmRegistry.Options().shareWithGroup(other)))
        {
            final Path file = registry.create("chan", ChannelConfig.spsc(4096)).file();
            assertEquals(other, Files.readAttributes(file, PosixFileAttributes.class).group().getName());
            assertTrue(registry.delete("chan"));
        }
        // the other checks still hold for root: world-accessible, or of another group than the one asked for
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        final String open = refusalSharedWith(dir, other);
        assertTrue(open.startsWith("refusing registry directory " + dir + ": it is accessible by others"), open);
        assertTrue(open.contains("(owner nobody, group " + other + ", mode 0775 (rwxrwxr-x))"), open);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
        final String foreign = refusalSharedWith(dir, ownGroup);
        assertTrue(foreign.startsWith("refusing registry directory " + dir + ": it belongs to group " + other +
            ", not to group " + ownGroup), foreign);
    }

    @Test
    void anotherUsersDirectoryOfAGroupThisProcessIsInIsAccepted() throws IOException
    {
        assumeTrue("root".equals(user), "only root can give a directory away");
        assumeTrue(Boolean.TRUE.equals(ProcessGroups.isMember(gid(ownGroup))), "not in " + ownGroup);
        final Path dir = directory("theirs", "rwxrwx---");
        Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        assertThrows(ShmLinkException.class, () -> ShmRegistry.open(dir), "not shared: owned by another user");
        try (ShmRegistry registry = ShmRegistry.open(dir, new ShmRegistry.Options().shareWithGroup(ownGroup)))
        {
            final Path file = registry.create("chan", ChannelConfig.spsc(4096)).file();
            assertEquals(ownGroup, Files.readAttributes(file, PosixFileAttributes.class).group().getName());
        }
    }

    @Test
    void missingParentsAreCreatedOfTheGroupButNotWritableByIt() throws IOException
    {
        final Path outer = shm.directory().resolve("a");
        final Path dir = outer.resolve("b").resolve("registry");

        try (ShmRegistry ignored = ShmRegistry.open(dir, new ShmRegistry.Options().createParentDirectories(true)
            .shareWithGroup(ownGroup)))
        {
            // members may pass through the parents, not rename the registry directory away from under the others
            for (final Path created : List.of(outer, outer.resolve("b"), dir))
            {
                final PosixFileAttributes attributes = Files.readAttributes(created, PosixFileAttributes.class);
                assertEquals(created.equals(dir) ? "rwxrwx---" : "rwxr-x---",
                    PosixFilePermissions.toString(attributes.permissions()), created.toString());
                assertEquals(ownGroup, attributes.group().getName(), created.toString());
            }
        }
        final Path ownerOnly = shm.directory().resolve("c").resolve("registry");
        try (ShmRegistry ignored = ShmRegistry.open(ownerOnly, new ShmRegistry.Options().createParentDirectories(true)))
        {
            assertEquals("rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(shm.directory().resolve("c"))));
        }
    }

    /** Why {@link ShmRegistry#open} refuses {@code dir} shared with {@code group}, which it must. */
    private static String refusalSharedWith(final Path dir, final String group)
    {
        return assertThrows(ShmLinkException.class,
            () -> ShmRegistry.open(dir, new ShmRegistry.Options().shareWithGroup(group))).getMessage();
    }

    private Path directory(final String name, final String mode) throws IOException
    {
        final Path dir = Files.createDirectory(shm.directory().resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        return dir;
    }

    private static List<Path> files(final Path dir) throws IOException
    {
        try (var stream = Files.list(dir))
        {
            return stream.toList();
        }
    }

    /** A group of this system that is not the test directory's. */
    private String anotherGroup()
    {
        final UserPrincipalLookupService names = shm.directory().getFileSystem().getUserPrincipalLookupService();
        for (final String candidate : List.of("daemon", "bin", "sys", "adm", "nogroup", "users"))
        {
            try
            {
                final GroupPrincipal group = names.lookupPrincipalByGroupName(candidate);
                if (!group.getName().equals(ownGroup))
                {
                    return candidate;
                }
            }
            catch (final IOException absent)
            {
                // try the next
            }
        }
        assumeTrue(false, "no group other than " + ownGroup + " on this system");
        return null;
    }

    private long gid(final String group) throws IOException
    {
        final Path probe = Files.createTempFile(shm.directory(), "gid", "");
        try
        {
            Files.getFileAttributeView(probe, PosixFileAttributeView.class)
                .setGroup(probe.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
            return ((Number)Files.getAttribute(probe, "unix:gid")).longValue();
        }
        finally
        {
            Files.delete(probe);
        }
    }
}
