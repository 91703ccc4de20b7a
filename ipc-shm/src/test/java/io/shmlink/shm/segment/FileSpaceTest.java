package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The space a segment's file takes: a filesystem without room for it is an exception at create, never a SIGBUS on
 * first touch; a file truncated under live mappings by another process is a {@link CorruptChannelException} at the
 * next send or poll, not a JVM crash.
 */
class FileSpaceTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("space");

    @AfterEach
    void tearDown() throws Exception
    {
        if (Files.isDirectory(shm.directory().resolve("small")))
        {
            new ProcessBuilder("umount", "--lazy", shm.directory().resolve("small").toString()).inheritIO().start()
                .waitFor();
        }
    }

    @Test
    void aChannelLargerThanTheFreeSpaceIsRefusedAtCreateNamingBothSizes() throws Exception
    {
        final Path small = mountTmpfs("small", "1m");
        try (ShmRegistry registry = ShmRegistry.open(small))
        {
            final ShmLinkException refused = assertThrows(ShmLinkException.class,
                () -> registry.create("big", ChannelConfig.spsc(4 << 20)));
            assertTrue(refused.getMessage().contains(small.toString()), refused.getMessage());
            assertTrue(refused.getMessage().contains("bytes free"), refused.getMessage());
            assertEquals(List.of(), filesIn(small), "nothing is left behind");
            registry.create("fits", ChannelConfig.spsc(64 << 10)); // the registry is still usable
        }
    }

    @Test
    void aFilesystemThatFillsDuringTheReservationIsRefusedToo() throws Exception
    {
        // Two creations that each fit the free space but not both: the second runs out while writing its blocks
        // only if the first is already there, which the free-space check before writing sees; either way, an
        // exception and no file.
        final Path small = mountTmpfs("small", "3m");
        try (ShmRegistry registry = ShmRegistry.open(small))
        {
            registry.create("first", ChannelConfig.spsc(2 << 20));
            assertThrows(ShmLinkException.class, () -> registry.create("second", ChannelConfig.spsc(2 << 20)));
            assertEquals(List.of("first"), filesIn(small));
        }
    }

    @Test
    void aFileTruncatedUnderThePublisherEndsItsSendsWithoutACrash() throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("cut", ChannelConfig.spsc(64 << 10));
            final Publisher publisher = registry.publisher("cut");
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            assertTrue(publisher.offer(message, 0, 64) > 0);

            truncate(shm.directory().resolve("cut"));

            assertReportedAsTruncated(assertThrows(Throwable.class, () ->
            {
                while (true)
                {
                    publisher.offer(message, 0, 64); // the next record's page is gone
                }
            }));
        }
        catch (final InternalError closingFaultsToo)
        {
            // the registry's close writes the truncated header as it detaches: nothing to assert about it
        }
    }

    @Test
    void aFileTruncatedUnderTheSubscriberEndsItsPollsWithoutACrash() throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("cut", ChannelConfig.spsc(64 << 10));
            final Subscriber subscriber = registry.subscriber("cut");
            final Publisher publisher = registry.publisher("cut");
            assertTrue(publisher.offer(new UnsafeBuffer(new byte[64]), 0, 64) > 0);

            truncate(shm.directory().resolve("cut"));

            assertReportedAsTruncated(assertThrows(Throwable.class, () ->
            {
                while (true)
                {
                    subscriber.poll((buffer, offset, length) -> {}, 10);
                }
            }));
        }
        catch (final InternalError closingFaultsToo)
        {
            // as above
        }
    }

    @Test
    void theLivenessThreadTicksOnBesideATruncatedChannel() throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("cut", ChannelConfig.spsc(64 << 10));
            registry.create("healthy", ChannelConfig.spsc(64 << 10));
            registry.publisher("cut");     // ticked first, so every tick after the cut faults before the next
            registry.publisher("healthy");

            truncate(shm.directory().resolve("cut"));

            // each heartbeat of the healthy channel's publisher is a tick that came after the cut one faulted
            long heartbeat = heartbeat(registry, "healthy");
            for (int ticks = 0; ticks < 3; )
            {
                final long now = heartbeat(registry, "healthy");
                if (now != heartbeat)
                {
                    heartbeat = now;
                    ticks++;
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        catch (final InternalError closingFaultsToo)
        {
            // as above
        }
    }

    private static long heartbeat(final ShmRegistry registry, final String channel)
    {
        return registry.lookup(channel).orElseThrow().publishers().get(0).lastHeartbeatMillis();
    }

    /**
     * The fault ends the loop of sends or polls and the JVM goes on. Caught inside the call, it is a
     * {@link CorruptChannelException} that says what happened; the JVM raises a fault in compiled code
     * asynchronously, though, and it may surface just after the call returned, as its own {@link InternalError}
     * (docs/DESIGN.md, "The file under the mapping").
     */
    private static void assertReportedAsTruncated(final Throwable failure)
    {
        if (failure instanceof CorruptChannelException)
        {
            assertTrue(failure.getMessage().contains("'cut'") && failure.getMessage().contains("truncated"),
                failure.getMessage());
            assertInstanceOf(InternalError.class, failure.getCause());
        }
        else
        {
            assertInstanceOf(InternalError.class, failure);
            assertTrue(failure.getMessage().contains("unsafe memory access"), failure.getMessage());
        }
    }

    private static void truncate(final Path file) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(0);
        }
    }

    /** A tmpfs of {@code size} at a new directory; skips the test where mounting is not allowed. */
    private Path mountTmpfs(final String name, final String size) throws Exception
    {
        final Path mountPoint = Files.createDirectory(shm.directory().resolve(name));
        final Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs",
            mountPoint.toString()).redirectErrorStream(true).start();
        final String output = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
            "cannot mount a tmpfs here (needs root): " + output);
        return mountPoint;
    }

    private static List<String> filesIn(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(path -> path.getFileName().toString()).filter(n -> !n.startsWith(".alive")).sorted()
                .toList();
        }
    }
}
