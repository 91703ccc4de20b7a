package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A process that may read a channel's file but not write it (here: through a read-only bind mount) can still
 * describe it, as {@code shmlink list} and {@code stat} do: opening registry files read-write, so that a FIFO
 * cannot block the open, falls back to reading where writing is refused.
 */
class ReadOnlyViewTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("read-only-view");
    @RegisterExtension
    final TempRegistry readOnly = TempRegistry.directoryOnly("read-only-mount");

    @BeforeEach
    void setUp() throws Exception
    {
        assumeTrue(run("mount", "--bind", shm.directory().toString(), readOnly.directory().toString()) == 0,
            "bind mounts need root");
        assumeTrue(run("mount", "-o", "remount,ro,bind", readOnly.directory().toString()) == 0,
            "read-only remount refused");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        run("umount", "--lazy", readOnly.directory().toString());
    }

    @Test
    void aChannelIsDescribedThroughAReadOnlyMount() throws IOException
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("chan", ChannelConfig.mpsc(1 << 16));
        }
        assumeTrue(!Files.isWritable(readOnly.directory().resolve("chan")), "the mount is read-only");

        final ChannelInfo info =
            ChannelSegment.describe(readOnly.directory().resolve("chan"), "chan", ProcessToken::partyInfo);

        assertEquals(1 << 16, info.capacity());
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
