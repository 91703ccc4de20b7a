package io.shmlink.shm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The guard between a subscriber's polls and a close from another thread: a poll in progress is waited for, a poll
 * that begins after the close returns at once, and the two never overlap.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PollGuardTest
{
    /** A fresh guard for each test, as JUnit makes a fresh instance of the class for each. */
    private final PollGuard guard = new PollGuard("chan");

    @Test
    void aPollThatBeginsAfterACloseReturnsAtOnce()
    {
        guard.markClosed();
        assertTrue(guard.awaitNoPoll(() -> false), "nobody polled: the closer releases the slot");
        assertFalse(guard.enter());
    }

    @Test
    void aCloseFromAnotherThreadWaitsForThePollInProgress() throws Exception
    {
        final CountDownLatch inPoll = new CountDownLatch(1);
        final CountDownLatch endPoll = new CountDownLatch(1);
        final Thread poller = new Thread(() ->
        {
            assertTrue(guard.enter());
            inPoll.countDown();
            await(endPoll);
            guard.exit();
        });
        poller.start();
        await(inPoll);
        final AtomicBoolean closeReturned = new AtomicBoolean();
        final Thread closer = new Thread(() ->
        {
            guard.markClosed();
            guard.awaitNoPoll(() -> false);
            closeReturned.set(true);
        });
        closer.start();
        closer.join(200);
        assertTrue(closer.isAlive(), "the close waits while the poll is in progress");
        assertFalse(closeReturned.get());
        endPoll.countDown();
        closer.join();
        assertTrue(closeReturned.get());
        poller.join();
    }

    @Test
    void aPollFromItsOwnHandlerIsRefused()
    {
        assertTrue(guard.enter());
        final IllegalStateException refused = assertThrows(IllegalStateException.class, guard::enter);
        assertTrue(refused.getMessage().contains("'chan'"), refused.getMessage());
        guard.exit();
        assertTrue(guard.enter(), "the guard is usable after the refusal");
        guard.exit();
    }

    @Test
    void aCloseFromTheHandlerIsLeftToThePollWhichReleasesAsItReturns()
    {
        assertFalse(guard.closeFromPoller(), "outside a poll, a close is not the handler's");
        assertFalse(guard.isClosed());
        assertTrue(guard.enter());
        assertTrue(guard.closeFromPoller());
        assertTrue(guard.isClosed());
        assertTrue(guard.exit(), "the poll releases the slot");
        guard.markClosed();
        assertFalse(guard.awaitNoPoll(() -> false), "a later close must not release the slot again");
        assertFalse(guard.enter());
    }

    @Test
    void aThreadThatPollsWhileAnotherIsInsideAPollIsRefused() throws Exception
    {
        assertTrue(guard.enter());
        final AtomicReference<Throwable> second = new AtomicReference<>();
        final Thread other = new Thread(() ->
        {
            try
            {
                guard.enter();
            }
            catch (final Throwable ex)
            {
                second.set(ex);
            }
        });
        other.start();
        other.join();
        assertInstanceOf(IllegalStateException.class, second.get());
        guard.exit();
    }

    @Test
    void twoThreadsPollingInTurnFastAreNeverInsideAtOnce() throws Exception
    {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final Runnable hammer = () ->
        {
            for (int i = 0; i < 200_000; i++)
            {
                try
                {
                    if (guard.enter())
                    {
                        if (inside.incrementAndGet() != 1)
                        {
                            overlaps.incrementAndGet();
                        }
                        inside.decrementAndGet();
                        guard.exit();
                    }
                }
                catch (final IllegalStateException refused)
                {
                    // the other thread is inside: this one's poll is refused, as it must be
                }
            }
        };
        final Thread first = new Thread(hammer);
        final Thread second = new Thread(hammer);
        first.start();
        second.start();
        first.join();
        second.join();
        assertEquals(0, overlaps.get(), "polls inside at once");
    }

    /**
     * Polls and closes race, each round with a fresh guard that its poller has already used: a poll that entered
     * never sees the slot released while it is inside.
     */
    @Test
    void racingPollsAndClosesNeverOverlap() throws Exception
    {
        race(3_000, TimeUnit.SECONDS.toNanos(50));
    }

    /** The same race for longer. */
    @Test
    @Tag("stress")
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void racingPollsAndClosesNeverOverlapForLong() throws Exception
    {
        race(200_000, TimeUnit.MINUTES.toNanos(15));
    }

    private static void race(final int rounds, final long deadlineNanos) throws Exception
    {
        final AtomicReference<PollGuard> current = new AtomicReference<>();
        final AtomicBoolean released = new AtomicBoolean();
        final AtomicInteger roundReady = new AtomicInteger(-1);
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long deadline = System.nanoTime() + deadlineNanos;
        final Thread poller = new Thread(() ->
        {
            try
            {
                for (int round = 0; round < rounds; round++)
                {
                    final PollGuard guard = awaitGuard(current, deadline);
                    assertTrue(guard.enter());
                    guard.exit();
                    roundReady.set(round);
                    while (guard.enter())
                    {
                        // the slot is ours from entry to exit: a release now is an overlap
                        if (released.get())
                        {
                            overlaps.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        if (released.get())
                        {
                            overlaps.incrementAndGet();
                        }
                        guard.exit();
                        checkDeadline(deadline);
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        poller.start();
        for (int round = 0; round < rounds && failure.get() == null; round++)
        {
            released.set(false);
            final PollGuard guard = new PollGuard("chan");
            current.set(guard);
            while (roundReady.get() != round && poller.isAlive())
            {
                checkDeadline(deadline);
                Thread.onSpinWait();
            }
            guard.markClosed();
            assertTrue(guard.awaitNoPoll(() -> false));
            released.set(true);
        }
        poller.join();
        assertNull(failure.get(), () -> "poller failed: " + failure.get());
        assertEquals(0, overlaps.get(), "polls that saw the slot released while inside");
    }

    /** The round's guard: the closer puts a fresh one in place once the previous round's is closed. */
    private static PollGuard awaitGuard(final AtomicReference<PollGuard> current, final long deadline)
    {
        PollGuard guard;
        while ((guard = current.get()) == null || guard.isClosed())
        {
            checkDeadline(deadline);
            Thread.onSpinWait();
        }
        return guard;
    }

    private static void checkDeadline(final long deadline)
    {
        if (System.nanoTime() - deadline > 0)
        {
            throw new AssertionError("no progress before the deadline");
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
