package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.socket.ShmServerSocket;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A member of a shared registry's group can put a FIFO (or a link to one) under any name in the directory. A plain
 * open of a FIFO for reading blocks until a writer comes, so every open of the library's files must neither block
 * nor follow links: opening the registry (its debris cleanup), {@code list}, {@code lookup}, {@code cleanStale},
 * attaching, liveness checks and {@code liveConnections} all return, and say what they found, whatever is planted.
 * Each call runs in a thread given a deadline; one still blocked then is released (the FIFO opened for writing)
 * and the test fails.
 */
class PlantedFifoTest
{
    private static final long DEADLINE_MS = 10_000;
    private static final ChannelConfig CONFIG = ChannelConfig.spsc(64 * 1024);

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-planted-fifo-test-");
    private final List<Path> fifos = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        releaseBlockedReaders();
    }

    @Test
    void aFifoUnderAnAliveFilesNameNeitherHangsOpeningNorSurvivesItsCleanup() throws Exception
    {
        final Path planted = mkfifo(AliveFiles.path(shm.directory(), deadToken()));
        final Path linked = AliveFiles.path(shm.directory(), deadToken());
        Files.createSymbolicLink(linked, planted);

        final ShmRegistry registry = within(() -> ShmRegistry.open(shm.directory()));
        registry.close();
        assertFalse(Files.exists(planted, LinkOption.NOFOLLOW_LINKS), "the FIFO is debris, removed");
        assertFalse(Files.exists(linked, LinkOption.NOFOLLOW_LINKS), "the link is debris, removed");
    }

    @Test
    void aFifoUnderTheAliveFileOfAChannelsPartyNeitherHangsLivenessNorListing() throws Exception
    {
        try (ShmRegistry registry =
            ShmRegistry.open(shm.directory(), new ShmRegistry.Options().cleanDebrisOnOpen(false)))
        {
            final ChannelInfo channel = registry.create("watched", CONFIG);
            final long token = deadToken();
            SegmentEditor.edit(channel.file(), header -> header.putLong(SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET,
                token));
            final Path fifo = mkfifo(AliveFiles.path(shm.directory(), token));

            assertTrue(within(() -> ProcessToken.isAlive(token)), "a process whose alive file cannot be told " +
                "about counts as alive, the safe side");
            final List<ChannelInfo> listed = within(registry::list);
            assertEquals(1, listed.size());
            assertTrue(listed.get(0).subscriber().alive());
            assertEquals(1, within(registry::cleanStale), "the FIFO is debris, removed");
            assertFalse(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.exists(channel.file()), "within its grace, the channel stays");
        }
    }

    @Test
    void aFifoOrALinkToOneUnderAChannelsNameIsRefusedByEveryCallNamingIt() throws Exception
    {
        final Path fifo = mkfifo(shm.directory().resolve("planted"));
        Files.createSymbolicLink(shm.directory().resolve("linked"), fifo);
        try (ShmRegistry registry = within(() -> ShmRegistry.open(shm.directory(),
            new ShmRegistry.Options().staleGrace(Duration.ZERO).unattachedGrace(Duration.ZERO))))
        {
            assertEquals(List.of(), within(registry::list), "neither is a channel");
            for (final String name : List.of("planted", "linked"))
            {
                final String type = name.equals("planted") ? "a FIFO" : "a symbolic link";
                final Exception lookup = within(() -> failure(() -> registry.lookup(name)));
                assertInstanceOf(CorruptChannelException.class, lookup);
                assertTrue(lookup.getMessage().contains(type) && lookup.getMessage().contains(name),
                    lookup.getMessage());
                final Exception attach = within(() -> failure(() -> registry.subscriber(name)));
                assertInstanceOf(ShmLinkException.class, attach);
                assertTrue(attach.getMessage().contains(type), attach.getMessage());
                final Exception create = within(() -> failure(() -> registry.openOrCreate(name, CONFIG)));
                assertInstanceOf(CorruptChannelException.class, create);
            }
            assertEquals(0, within(registry::cleanStale), "what is not a channel is left to a human");
            assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aFifoSwappedInUnderAServerSocketsChannelShowsNoConnections() throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            final ChannelInfo channel = registry.create("server", CONFIG);
            Files.delete(channel.file());
            mkfifo(channel.file());
            assertTrue(within(() -> ShmServerSocket.liveConnections(channel)).isEmpty());
        }
    }

    private Path mkfifo(final Path path) throws Exception
    {
        final Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS), "mkfifo finishes");
        assertEquals(0, mkfifo.exitValue(), "mkfifo " + path);
        fifos.add(path);
        return path;
    }

    /** Runs a call in a thread of its own and fails if it has not returned by the deadline. */
    private <T> T within(final Callable<T> call) throws Exception
    {
        final AtomicReference<T> result = new AtomicReference<>();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                result.set(call.call());
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        }, "planted-fifo-call");
        thread.setDaemon(true);
        thread.start();
        thread.join(DEADLINE_MS);
        if (thread.isAlive())
        {
            final StackTraceElement[] stack = thread.getStackTrace();
            releaseBlockedReaders();
            thread.join(DEADLINE_MS);
            final AssertionError hung = new AssertionError("still blocked after " + DEADLINE_MS + " ms (a FIFO " +
                "opened for reading?)");
            hung.setStackTrace(stack);
            throw hung;
        }
        if (thrown.get() instanceof Exception ex)
        {
            throw ex;
        }
        if (thrown.get() != null)
        {
            throw new AssertionError(thrown.get());
        }
        return result.get();
    }

    private static Exception failure(final Callable<?> call)
    {
        final Object result;
        try
        {
            result = call.call();
        }
        catch (final Exception ex)
        {
            return ex;
        }
        throw new AssertionError("expected a refusal, got " + result);
    }

    /** Opens each planted FIFO read-write (which does not block on Linux): a reader blocked in open goes on. */
    private void releaseBlockedReaders()
    {
        for (final Path fifo : fifos)
        {
            try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                writer.force(false);
            }
            catch (final IOException | UnsupportedOperationException gone)
            {
                // removed, as it should be
            }
        }
    }

    private static long deadToken() throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        assertTrue(finished.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS));
        return ProcessToken.of(finished.toHandle());
    }
}
