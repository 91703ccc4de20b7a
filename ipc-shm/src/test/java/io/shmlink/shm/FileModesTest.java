package io.shmlink.shm;

import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.EveryKindOfFileMain;
import io.shmlink.shm.testing.TempRegistry;
import io.shmlink.shm.wait.DoorbellAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file and directory the library makes has its documented mode whatever the umask: directories 0700 and
 * files 0600 (channels, temporary creation files, alive files, doorbell sockets), or 0770 and 0660 of the group
 * when shared. A child JVM makes them under {@code umask 000}, where anything left to the umask is world-open.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileModesTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-modes-test-");

    @Test
    void underUmask000EveryFileAndDirectoryTheLibraryMadeHasItsDocumentedMode() throws Exception
    {
        final String group = Files.readAttributes(shm.directory(), PosixFileAttributes.class).group().getName();
        try (ChildJvm child = ChildJvm.startUnder(List.of("sh", "-c", "umask 000; exec \"$0\" \"$@\""), List.of(),
            EveryKindOfFileMain.class, shm.directory().toString(), group))
        {
            assertEquals("UMASK 0000", child.readLine());
            assertEquals("PREPARED", child.readLine());
            assertEquals(137, child.waitFor(60), "halted in the middle of a creation");
        }

        final Set<String> own = check(shm.directory().resolve("own"), "rwx------", "rw-------", null);
        final Set<String> shared = check(shm.directory().resolve("shared"), "rwxrwx---", "rw-rw----", group);

        assertEquals(Set.of("dir own", "dir own/a", "dir own/a/registry", "channel", "alive file", "doorbell socket"),
            own);
        assertEquals(Set.of("dir shared", "dir shared/a", "dir shared/a/registry", "channel", "alive file",
            "doorbell socket", "temporary creation file"), shared);
    }

    /** Checks every path under {@code top}, itself included, and names the kinds it found. */
    private Set<String> check(final Path top, final String directoryMode, final String fileMode, final String group)
        throws IOException
    {
        final Set<String> kinds = new TreeSet<>();
        try (Stream<Path> tree = Files.walk(top))
        {
            for (final Path path : tree.toList())
            {
                final PosixFileAttributes attributes =
                    Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                final String name = path.getFileName().toString();
                final String kind = attributes.isDirectory() ? "dir " + shm.directory().relativize(path) :
                    name.startsWith(AliveFiles.PREFIX) ? "alive file" :
                    name.startsWith(DoorbellAddress.PREFIX) && attributes.isOther() ? "doorbell socket" :
                    ChannelSegment.isCreationDebris(name) ? "temporary creation file" :
                    name.equals("chan") ? "channel" : "unexpected " + name;
                kinds.add(kind);
                // parents the library made are never writable by the group: only the registry directory is
                final String expected = !attributes.isDirectory() ? fileMode :
                    name.equals("registry") ? directoryMode : directoryMode.replace("rwxrwx", "rwxr-x");
                assertEquals(expected,
                    PosixFilePermissions.toString(attributes.permissions()), kind + ": " + path);
                if (group != null)
                {
                    assertEquals(group, attributes.group().getName(), kind + ": " + path);
                }
            }
        }
        assertTrue(kinds.stream().noneMatch(kind -> kind.startsWith("unexpected")), kinds.toString());
        return kinds;
    }
}
