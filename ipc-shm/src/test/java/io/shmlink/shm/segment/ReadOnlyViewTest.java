package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.testing.ShmTestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A process that may read a channel's file but not write it (here: through a read-only bind mount) can still
 * describe it, as {@code shmlink list} and {@code stat} do: opening registry files read-write, so that a FIFO
 * cannot block the open, falls back to reading where writing is refused.
 */
class ReadOnlyViewTest
{
    private Path directory;
    private Path readOnly;

    @BeforeEach
    void setUp() throws Exception
    {
        directory = ShmTestDirectory.create("read-only-view");
        readOnly = ShmTestDirectory.create("read-only-mount");
        assumeTrue(run("mount", "--bind", directory.toString(), readOnly.toString()) == 0, "bind mounts need root");
        assumeTrue(run("mount", "-o", "remount,ro,bind", readOnly.toString()) == 0, "read-only remount refused");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        run("umount", "--lazy", readOnly.toString());
        ShmTestDirectory.delete(readOnly);
        ShmTestDirectory.delete(directory);
    }

    @Test
    void aChannelIsDescribedThroughAReadOnlyMount() throws IOException
    {
        try (ShmRegistry registry = ShmRegistry.open(directory))
        {
            registry.create("chan", ChannelConfig.mpsc(1 << 16));
        }
        assumeTrue(!Files.isWritable(readOnly.resolve("chan")), "the mount is read-only");

        final ChannelInfo info = ChannelSegment.describe(readOnly.resolve("chan"), "chan", ProcessToken::partyInfo);

        assertEquals(1 << 16, info.capacity());
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
