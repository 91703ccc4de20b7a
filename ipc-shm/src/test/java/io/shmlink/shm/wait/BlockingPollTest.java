package io.shmlink.shm.wait;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FileAccess;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.SleepingSubscriberMain;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The blocking poll: sleeps in the kernel, wakes on a publisher's doorbell (across processes), times out,
 * leaves no socket file behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockingPollTest
{
    private static final ReaderWait NO_SAFETY_NET = ReaderWait.blocking().withMaxSleep(Duration.ofHours(1));

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("wait");

    @BeforeEach
    void setUp()
    {
        shm.registry().create("bell", ChannelConfig.spsc(64 * 1024));
    }

    @Test
    void returnsZeroAfterTheTimeoutWhenNothingIsPublished()
    {
        final ShmSubscriber subscriber = shm.registry().subscriber("bell");
        final long start = System.nanoTime();
        final int received = subscriber.poll((buffer, offset, length) -> fail("no message was sent"), 10,
            50, TimeUnit.MILLISECONDS);
        assertEquals(0, received);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "returned before the timeout");
    }

    @Test
    void aMessageAlreadyThereIsReturnedWithoutWaiting()
    {
        final Publisher publisher = shm.registry().publisher("bell");
        assertTrue(publisher.offer(message((byte)7), 0, 1) > 0);
        final ShmSubscriber subscriber = shm.registry().subscriber("bell");
        final int[] seen = new int[1];
        assertEquals(1, subscriber.poll((buffer, offset, length) -> seen[0] = buffer.getByte(offset), 10,
            1, TimeUnit.HOURS));
        assertEquals(7, seen[0]);
    }

    @Test
    void aSleepingSubscriberInAnotherThreadIsWokenByTheDoorbell() throws Exception
    {
        final ShmSubscriber subscriber = (shm.registry().subscriber("bell")).readerWait(NO_SAFETY_NET);
        final Publisher publisher = shm.registry().publisher("bell");
        final int[] seen = new int[1];
        final CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> subscriber.poll(
            (buffer, offset, length) -> seen[0] = buffer.getByte(offset), 10, 60, TimeUnit.SECONDS));
        awaitSleeping(shm.directory().resolve("bell"));
        assertEquals(1, doorbellFiles().size(), "the sleeping subscriber's doorbell socket");
        assertTrue(publisher.offer(message((byte)42), 0, 1) > 0);
        assertEquals(1, received.get(30, TimeUnit.SECONDS), "only the doorbell can wake it within the timeout");
        assertEquals(42, seen[0]);
    }

    @Test
    void anAbortedClaimWakesASubscriberAsleepAtIt() throws Exception
    {
        // the record behind the claim was committed before the subscriber looked: only the abort can wake it
        final ShmSubscriber subscriber = (shm.registry().subscriber("bell")).readerWait(NO_SAFETY_NET);
        final Publisher publisher = shm.registry().publisher("bell");
        final BufferClaim claim = new BufferClaim();
        assertTrue(publisher.tryClaim(1, claim) > 0);
        assertTrue(publisher.offer(message((byte)43), 0, 1) > 0);
        final int[] seen = new int[1];
        final CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> subscriber.poll(
            (buffer, offset, length) -> seen[0] = buffer.getByte(offset), 10, 60, TimeUnit.SECONDS));
        awaitSleeping(shm.directory().resolve("bell"));
        claim.abort();
        assertEquals(1, received.get(30, TimeUnit.SECONDS), "only the abort can wake it within the timeout");
        assertEquals(43, seen[0]);
    }

    @Test
    void aRingThatLandsAsTheSubscriberFallsAsleepAgainIsNotLost() throws Exception
    {
        // Publishing the moment SLEEPING appears aims at the window between the announcement and the sleep: a
        // subscriber that consumed doorbell bytes inside that window would eat this ring and sleep through it.
        final int wakeUps = 300;
        final ShmSubscriber subscriber = (shm.registry().subscriber("bell")).readerWait(NO_SAFETY_NET);
        final Publisher publisher = shm.registry().publisher("bell");
        final CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() ->
        {
            int count = 0;
            for (int i = 0; i < wakeUps; i++)
            {
                count += subscriber.poll((buffer, offset, length) -> {}, 1, 30, TimeUnit.SECONDS);
            }
            return count;
        });
        final ChannelSegment segment = ChannelSegment.open(shm.directory().resolve("bell"), "bell", false);
        for (int i = 0; i < wakeUps; i++)
        {
            while (segment.buffer().getIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET) != WAIT_STATE_SLEEPING)
            {
                Thread.onSpinWait();
            }
            assertTrue(publisher.offer(message((byte)i), 0, 1) > 0);
        }
        assertEquals(wakeUps, received.get(60, TimeUnit.SECONDS), "every message woke its own sleep");
    }

    @Test
    void aSleepingSubscriberInAnotherProcessIsWokenByTheDoorbell() throws Exception
    {
        final Publisher publisher = shm.registry().publisher("bell");
        try (ChildJvm child = ChildJvm.start(SleepingSubscriberMain.class, shm.directory().toString(), "bell", "60"))
        {
            child.awaitLine("ATTACHED");
            awaitSleeping(shm.directory().resolve("bell"));
            assertTrue(publisher.offer(message((byte)99), 0, 1) > 0);
            assertEquals("RECEIVED 1 99", child.awaitLine("RECEIVED"));
            assertEquals(0, child.waitFor(30));
        }
        assertEquals(List.of(), doorbellFiles(), "a closed subscriber removes its doorbell socket");
    }

    @Test
    void closingTheSubscriberFromAnotherThreadEndsItsSleep() throws Exception
    {
        final ShmSubscriber subscriber = (shm.registry().subscriber("bell")).readerWait(NO_SAFETY_NET);
        final CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> subscriber.poll(
            (buffer, offset, length) -> fail("no message was sent"), 10, 60, TimeUnit.SECONDS));
        awaitSleeping(shm.directory().resolve("bell"));
        subscriber.close();
        assertEquals(0, received.get(30, TimeUnit.SECONDS));
        assertEquals(List.of(), doorbellFiles());
    }

    @Test
    void theDoorbellOfAKilledSubscriberIsCleanedAsDebris() throws Exception
    {
        try (ChildJvm child = ChildJvm.start(SleepingSubscriberMain.class, shm.directory().toString(), "bell", "600"))
        {
            child.awaitLine("ATTACHED");
            awaitSleeping(shm.directory().resolve("bell"));
            assertEquals(1, doorbellFiles().size());
            child.kill();
        }
        shm.registry().cleanStale();
        assertEquals(List.of(), doorbellFiles());
        final Publisher publisher = shm.registry().publisher("bell");
        final long result = publisher.offer(message((byte)1), 0, 1); // may find SLEEPING and ring a vanished bell
        assertTrue(result > 0 || result == Publisher.NOT_CONNECTED, "offer after the subscriber died: " + result);
    }

    @Test
    void theStagingDirectoryOfASubscriberKilledWhileBindingIsCleanedAsDebris() throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        assertEquals(0, finished.waitFor());
        final long deadToken = ProcessToken.of(finished.toHandle());
        final Path staging = Files.createDirectory(DoorbellAddress.stagingDirectory(shm.directory(), deadToken, 3));
        Files.createFile(staging.resolve("s"));
        final Path living =
            Files.createDirectory(DoorbellAddress.stagingDirectory(shm.directory(), ProcessToken.SELF, 99));

        assertEquals(List.of(staging), shm.registry().findStale(), "the dead owner's only");
        assertEquals(List.of(staging), shm.registry().removeStale());
        assertFalse(Files.exists(staging));
        assertTrue(Files.isDirectory(living), "a live owner's staging directory stays");
        Files.delete(living);
    }

    @Test
    void aNewSubscriberClearsTheSleepAnnouncedByADeadOne() throws Exception
    {
        try (ChildJvm child = ChildJvm.start(SleepingSubscriberMain.class, shm.directory().toString(), "bell", "600"))
        {
            child.awaitLine("ATTACHED");
            awaitSleeping(shm.directory().resolve("bell"));
            child.kill();
        }
        shm.registry().subscriber("bell");
        final ChannelSegment segment = ChannelSegment.open(shm.directory().resolve("bell"), "bell");
        assertNotEquals(WAIT_STATE_SLEEPING, segment.buffer().getIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET));
    }

    @Test
    void aDoorbellSocketIs0600WhateverTheUmaskAndLeavesNoStagingDirectory() throws IOException
    {
        final ShmSubscriber subscriber = shm.registry().subscriber("bell");
        assertEquals(0, subscriber.poll((buffer, offset, length) -> fail("no message was sent"), 1,
            20, TimeUnit.MILLISECONDS), "sleeps once, on its doorbell");

        final List<Path> bells = doorbellFiles();
        assertEquals(1, bells.size(), bells.toString());
        assertFalse(DoorbellAddress.isStaging(bells.get(0).getFileName().toString()), bells.toString());
        final PosixFileAttributes socket =
            Files.readAttributes(bells.get(0), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertTrue(socket.isOther(), "a socket");
        // bound without a mode, a socket takes 0777 & ~umask: rwxr-xr-x under the usual umask 022
        assertEquals("rw-------", PosixFilePermissions.toString(socket.permissions()));
    }

    @Test
    void aDoorbellWhoseStagingPathIsTooLongForASocketIsStillStagedAndGetsItsMode() throws IOException
    {
        final Doorbell first = Doorbell.openOrNull(shm.directory(), ProcessToken.SELF, FileAccess.OWNER_ONLY);
        assertNotNull(first);
        final int next = first.number() + 1; // doorbells of this JVM are numbered in turn; this test opens the next
        first.close();
        final String name = DoorbellAddress.path(shm.directory(), ProcessToken.SELF, next).getFileName().toString();
        // a directory whose path makes the doorbell's 106 bytes: 107 fit a socket address, 106 + ".bind/s" do not,
        // but the staging directory is bound through this process's short /proc/self/fd handle on it
        final Path deep = Files.createDirectory(
            shm.directory().resolve("d".repeat(106 - name.length() - 1 - shm.directory().toString().length() - 1)));
        assertEquals(106, deep.resolve(name).toString().length());

        final Doorbell bell = Doorbell.openOrNull(deep, ProcessToken.SELF, FileAccess.OWNER_ONLY);
        try
        {
            assertNotNull(bell, "bound");
            assertEquals(next, bell.number());
            final PosixFileAttributes socket =
                Files.readAttributes(deep.resolve(name), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertTrue(socket.isOther(), "a socket");
            assertEquals("rw-------", PosixFilePermissions.toString(socket.permissions()));
            try (Stream<Path> files = Files.list(deep))
            {
                assertEquals(List.of(deep.resolve(name)), files.toList());
            }
        }
        finally
        {
            if (bell != null)
            {
                bell.close();
            }
        }
    }

    /**
     * A subscriber's doorbell can be closed by two threads at once: a close from another thread wakes the poll,
     * while that poll's own handler closed the subscriber and the poll gives the slot back. Neither close throws,
     * and the socket goes.
     */
    @Test
    void aDoorbellClosedByTwoThreadsAtOnceClosesOnceAndNeitherThrows() throws Exception
    {
        for (int round = 0; round < 1000; round++)
        {
            final Doorbell bell = Doorbell.openOrNull(shm.directory(), ProcessToken.SELF, FileAccess.OWNER_ONLY);
            assertNotNull(bell);
            final CyclicBarrier start = new CyclicBarrier(2);
            final CompletableFuture<Void> other = CompletableFuture.runAsync(() ->
            {
                awaitQuietly(start);
                bell.close();
            });
            awaitQuietly(start);
            bell.close();
            other.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), doorbellFiles(), "round " + round);
        }
    }

    private static void awaitQuietly(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private List<Path> doorbellFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(shm.directory()))
        {
            return files.filter(path -> path.getFileName().toString().startsWith(DoorbellAddress.PREFIX)).toList();
        }
    }

    /** Synchronises on the subscriber's own announcement in shared memory. */
    private static void awaitSleeping(final Path file)
    {
        final ChannelSegment segment = ChannelSegment.open(file, "bell", false);
        while (segment.buffer().getIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET) != WAIT_STATE_SLEEPING)
        {
            Thread.onSpinWait();
        }
    }

    private static UnsafeBuffer message(final byte value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putByte(0, value);
        return buffer;
    }
}
