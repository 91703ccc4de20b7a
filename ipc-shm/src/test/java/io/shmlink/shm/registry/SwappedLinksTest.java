package io.shmlink.shm.registry;

import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.testing.TempRegistry;
import io.shmlink.shm.wait.DoorbellAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cleanup in a directory that others may write follows no link they swap in: what a dead subscriber's doorbell
 * staging directory ({@code .bell.<token>.<n>.bind}) holds is removed, but a link put in its place, even while the
 * cleanup is between looking at the directory and listing it, never leads the cleanup to another directory's files.
 */
class SwappedLinksTest
{
    private static final long SWAPPING_NANOS = TimeUnit.SECONDS.toNanos(3);

    @RegisterExtension
    final TempRegistry registry = TempRegistry.directoryOnly("shmlink-swapped-links-test-");
    @RegisterExtension
    final TempRegistry victim = TempRegistry.directoryOnly("shmlink-swapped-links-victim-");

    @BeforeEach
    void setUp() throws IOException
    {
        Files.createFile(victim.directory().resolve("precious"));
    }

    @Test
    void aDeadSubscribersStagingDirectoryGoesWithItsSocketButALinkInItsPlaceIsNeverFollowed() throws Exception
    {
        final long deadToken = deadToken();
        final Path staging = DoorbellAddress.stagingDirectory(registry.directory(), deadToken, 1);
        Files.createDirectory(staging);
        Files.createFile(staging.resolve("s"));
        assertTrue(StaleChannels.cleanDebris(registry.directory()) >= 1);
        assertFalse(Files.exists(staging, LinkOption.NOFOLLOW_LINKS), "a dead owner's staging directory goes");

        Files.createSymbolicLink(staging, victim.directory());
        StaleChannels.cleanDebris(registry.directory());
        assertTrue(Files.exists(victim.directory().resolve("precious")), "a link is not followed");
        assertFalse(Files.exists(staging, LinkOption.NOFOLLOW_LINKS), "the link itself goes");
    }

    @Test
    void aLinkSwappedInWhileCleanupLooksAtAStagingDirectoryNeverLeadsItElsewhere() throws Exception
    {
        final Path staging = DoorbellAddress.stagingDirectory(registry.directory(), deadToken(), 1);
        final Path aside = registry.directory().resolve("aside");
        final Path link = registry.directory().resolve("link");
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong swaps = new AtomicLong();
        // a group member's loop: the staging name is a real directory, then for a moment a link to the victim
        final Thread swapper = new Thread(() ->
        {
            while (!stop.get())
            {
                try
                {
                    quietly(() -> Files.createDirectory(staging));
                    quietly(() -> Files.createSymbolicLink(link, victim.directory()));
                    quietly(() -> Files.move(staging, aside, StandardCopyOption.ATOMIC_MOVE));
                    quietly(() -> Files.move(link, staging, StandardCopyOption.ATOMIC_MOVE));
                    quietly(() -> Files.move(staging, link, StandardCopyOption.ATOMIC_MOVE));
                    quietly(() -> Files.move(aside, staging, StandardCopyOption.ATOMIC_MOVE));
                    swaps.incrementAndGet();
                }
                catch (final RuntimeException ex)
                {
                    stop.set(true);
                    throw ex;
                }
            }
        }, "swapper");
        swapper.start();
        int cleanups = 0;
        try
        {
            final long deadline = System.nanoTime() + SWAPPING_NANOS;
            while (System.nanoTime() - deadline < 0 && Files.exists(victim.directory().resolve("precious")) &&
                !stop.get())
            {
                StaleChannels.cleanDebris(registry.directory());
                cleanups++;
            }
        }
        finally
        {
            stop.set(true);
            swapper.join();
        }
        assertTrue(swaps.get() > 0 && cleanups > 0, swaps + " swaps, " + cleanups + " cleanups");
        assertTrue(Files.exists(victim.directory().resolve("precious")),
            "the victim's file was deleted through a swapped-in link after " + cleanups + " cleanups");
    }

    private interface IoAction
    {
        void run() throws IOException;
    }

    private static void quietly(final IoAction action)
    {
        try
        {
            action.run();
        }
        catch (final IOException raced)
        {
            // the cleanup removed or the other step moved it: the loop goes round again
        }
    }

    private static long deadToken() throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        return ProcessToken.of(finished.toHandle());
    }
}
