package io.shmlink.examples.cli;

import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shmlink clean} also removes the media driver directories that killed bridges left behind.
 */
class CleanCommandTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-cli-clean-");

    private String clean(final String... args)
    {
        final StringWriter out = new StringWriter();
        final var commandLine = ShmLinkCli.commandLine();
        commandLine.setOut(new PrintWriter(out));
        assertEquals(ShmLinkCli.OK, commandLine.execute(args));
        return out.toString();
    }

    @Test
    void removesTheDriverDirectoryOfADeadBridgeAndKeepsALiveOnes() throws Exception
    {
        final Path dir = shm.directory();
        // no process has PID 2^31-1 (Linux caps PIDs at 2^22)
        final Path stale = Files.createDirectories(dir.resolve(".aeron-" + Integer.MAX_VALUE + "-3"));
        Files.writeString(stale.resolve("cnc.dat"), "x");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 120_000)); // past start-up
        final Path live = Files.createDirectories(dir.resolve(".aeron-" + ProcessHandle.current().pid() + "-1"));

        final String dryRun = clean("clean", "--dry-run", "--dir", dir.toString());
        assertTrue(dryRun.contains("would remove " + stale + "\n"), dryRun);
        assertTrue(Files.exists(stale));

        final String cleaned = clean("clean", "--dir", dir.toString());
        assertTrue(cleaned.contains("removed " + stale + "\n"), cleaned);
        assertFalse(cleaned.contains(live.toString()), cleaned);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live));
    }
}
