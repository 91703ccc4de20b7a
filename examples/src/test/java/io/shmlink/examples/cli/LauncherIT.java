package io.shmlink.examples.cli;

import io.shmlink.examples.cli.ShmLinkProcess.Result;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code bin/shmlink} the way a user who linked it into their PATH would: through a chain of symbolic
 * links, one of them relative, from another directory.
 */
class LauncherIT
{
    /** Holds the registry directory, which the launcher is to create (or not). */
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-cli-launcher-");

    @Test
    void theLauncherRunsTheJarThroughSymbolicLinks(@TempDir final Path bin) throws IOException
    {
        final Path launcher = ShmLinkProcess.launcher();
        assertTrue(Files.isExecutable(launcher), launcher + " is not executable");
        final Path absoluteLink = Files.createSymbolicLink(bin.resolve("shmlink-real"), launcher);
        final Path relativeLink = Files.createSymbolicLink(bin.resolve("shmlink"), Path.of("shmlink-real"));
        final Path dir = shm.directory().resolve("registry");

        final Result result;
        try
        {
            result = ShmLinkProcess.run(
                List.of(relativeLink.toString(), "create", "via-launcher", "--mode", "spsc", "--capacity", "4k"),
                Map.of("SHMLINK_DIR", dir.toString(), "JAVA_HOME", System.getProperty("java.home")));
        }
        finally
        {
            // Ourselves, before @TempDir's cleanup, which warns about links that point outside it.
            Files.delete(relativeLink);
            Files.delete(absoluteLink);
        }

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().startsWith("created channel via-launcher: SPSC"), result::toString);
        assertTrue(Files.isRegularFile(dir.resolve("via-launcher")), result::toString);
    }

    @Test
    void theLauncherPassesTheExitCodeThrough()
    {
        final Path dir = shm.directory().resolve("registry");

        final Result result = ShmLinkProcess.run(
            List.of(ShmLinkProcess.launcher().toString(), "delete", "ghost", "--dir", dir.toString()),
            Map.of("JAVA_HOME", System.getProperty("java.home")));

        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.err().contains("registry directory " + dir + " does not exist"), result::toString);
    }
}
