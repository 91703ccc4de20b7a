package io.shmlink.shm.liveness;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.AttachAndWaitMain;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.ProbeAliveFileMain;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The alive files of processes that attached a publisher or subscriber: made at the first attach, held until the
 * process exits, and cleaned once it has (the cross-namespace use of them is in {@link PidNamespaceLivenessTest}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AliveFilesTest
{
    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-alive-test-", new ShmRegistry.Options().cleanDebrisOnOpen(false));

    private List<String> aliveFiles() throws IOException
    {
        return shm.fileNames(name -> name.startsWith(AliveFiles.PREFIX));
    }

    private Path ownFile()
    {
        return AliveFiles.path(shm.directory(), ProcessToken.SELF);
    }

    @Test
    void aRegistryThatOnlyLooksMakesNoAliveFile() throws IOException
    {
        shm.registry().create("chan", ChannelConfig.mpsc(4096));
        shm.registry().list();

        assertEquals(List.of(), aliveFiles());
    }

    @Test
    void registriesOnOneDirectoryShareOneAliveFileKeptWhileTheProcessLives() throws IOException
    {
        shm.registry().create("chan", ChannelConfig.mpsc(4096));
        final ShmRegistry second =
            ShmRegistry.open(shm.directory().resolve("..").resolve(shm.directory().getFileName()));
        second.publisher("chan");
        shm.registry().publisher("chan");
        assertEquals(List.of(ownFile().getFileName().toString()), aliveFiles());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ownFile())));

        shm.registry().close();
        second.close();

        // a thread of a publisher closed with its registry may still write a claim that another namespace holds
        assertEquals(List.of(ownFile().getFileName().toString()), aliveFiles(), "kept after the last close");
    }

    @Test
    void anAliveFileInARegistrySharedWithAGroupIs0660OfThatGroup() throws IOException
    {
        final PosixFileAttributes attributes = Files.readAttributes(shm.directory(), PosixFileAttributes.class);
        final Path shared = shm.directory().resolve("shared");
        try (ShmRegistry sharedRegistry = ShmRegistry.open(shared,
            new ShmRegistry.Options().shareWithGroup(attributes.group().getName())))
        {
            sharedRegistry.create("chan", ChannelConfig.mpsc(4096));
            sharedRegistry.publisher("chan");
            final PosixFileAttributes file =
                Files.readAttributes(AliveFiles.path(shared, ProcessToken.SELF), PosixFileAttributes.class);
            assertEquals("rw-rw----", PosixFilePermissions.toString(file.permissions()));
            assertEquals(attributes.group(), file.group());
        }
    }

    @Test
    void anAliveFileStaysLockedAfterItsRegistryClosed() throws Exception
    {
        shm.registry().create("chan", ChannelConfig.mpsc(4096));
        shm.registry().publisher("chan");
        shm.registry().close();

        try (ChildJvm probe = ChildJvm.start(ProbeAliveFileMain.class, ownFile().toString()))
        {
            assertEquals("KEPT", probe.readLine(), "another process cannot take the lock");
        }
    }

    @Test
    void cleanStaleRemovesTheAliveFileOfAKilledProcessAndNeverListsOneAsAChannel() throws Exception
    {
        // this process attaches nothing, so no liveness thread of its own removes the dead child's file first
        shm.registry().create("chan", ChannelConfig.mpsc(4096));
        try (ChildJvm child = AttachAndWaitMain.attached(shm.directory(), "chan", "publisher"))
        {
            assertEquals(1, aliveFiles().size(), "the child's: " + aliveFiles());
            assertEquals(List.of("chan"), shm.registry().list().stream().map(ChannelInfo::name).toList());
            child.kill();
        }
        assertEquals(1, aliveFiles().size(), "a killed process cannot delete its own: " + aliveFiles());

        assertEquals(1, shm.registry().cleanStale(), "the dead child's alive file, and only that");
        assertEquals(List.of(), aliveFiles());
    }
}
