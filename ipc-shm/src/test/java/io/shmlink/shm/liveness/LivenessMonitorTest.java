package io.shmlink.shm.liveness;

import io.shmlink.shm.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The liveness thread outlives whatever a party's tick throws.
 */
class LivenessMonitorTest
{
    private LogCapture log;

    @BeforeEach
    void setUp()
    {
        log = LogCapture.of(LivenessMonitor.class);
    }

    @AfterEach
    void tearDown()
    {
        log.close();
    }

    @Test
    void aPartyWhoseTickThrowsAnErrorEveryTimeDoesNotStopAnotherFromBeingTickedAgain() throws Exception
    {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch errorThrown = new CountDownLatch(1);
        final CountDownLatch ticksAfterAnError = new CountDownLatch(2);
        try (LivenessMonitor monitor = new LivenessMonitor(1))
        {
            // added first, so that each round ticks it before the healthy one
            monitor.add(() ->
            {
                if (armed.get())
                {
                    errorThrown.countDown();
                    throw new InternalError("a fault in a truncated mapping");
                }
            });
            monitor.add(() ->
            {
                if (errorThrown.getCount() == 0)
                {
                    ticksAfterAnError.countDown();
                }
            });
            armed.set(true);

            assertTrue(errorThrown.await(10, TimeUnit.SECONDS), "the failing party was ticked");
            assertTrue(ticksAfterAnError.await(10, TimeUnit.SECONDS),
                "the healthy party is still ticked, round after round, after the other one threw an Error");
        }
    }

    @Test
    void aFailingTickIsLoggedAsAWarningOncePerPartyAndExceptionClass() throws Exception
    {
        final AtomicInteger ticks = new AtomicInteger();
        final CountDownLatch enoughTicks = new CountDownLatch(1);
        final LivenessMonitor.Watched failing = new LivenessMonitor.Watched()
        {
            @Override
            public void onLivenessTick()
            {
                final int tick = ticks.incrementAndGet();
                if (tick == 1)
                {
                    return; // the check add() makes
                }
                if (tick > 12)
                {
                    enoughTicks.countDown(); // ticks 2 to 12 threw and were dealt with
                    return;
                }
                if (tick <= 6)
                {
                    throw new InternalError("a fault in a truncated mapping");
                }
                throw new IllegalStateException("a corrupt header");
            }

            @Override
            public String toString()
            {
                return "publisher of channel 'failing'";
            }
        };
        try (LivenessMonitor monitor = new LivenessMonitor(1))
        {
            monitor.add(failing);
            assertTrue(enoughTicks.await(10, TimeUnit.SECONDS), "ticked on after eleven failures");
        }

        assertEquals(2, log.records().size(), () -> "one record per exception class: " + log.records().stream()
            .map(LogRecord::getMessage).toList());
        for (final LogRecord record : log.records())
        {
            assertEquals(Level.WARNING, record.getLevel());
            assertTrue(record.getMessage().contains("publisher of channel 'failing'"), record.getMessage());
        }
        assertInstanceOf(InternalError.class, log.records().get(0).getThrown());
        assertInstanceOf(IllegalStateException.class, log.records().get(1).getThrown());
    }

    @Test
    @SuppressWarnings({"deprecation", "removal"})
    void anErrorRaisedAsynchronouslyBetweenTicksDoesNotEndTheThread() throws Exception
    {
        // The JVM raises the fault of a truncated mapping in compiled code at its next check, which may be after a
        // party's tick returned. Thread.stop raises an error asynchronously the same way, at any point of the loop.
        final AtomicInteger ticks = new AtomicInteger();
        try (LivenessMonitor monitor = new LivenessMonitor(1))
        {
            monitor.add(ticks::incrementAndGet);
            final java.lang.reflect.Field field = LivenessMonitor.class.getDeclaredField("thread");
            field.setAccessible(true);
            for (int i = 0; i < 20; i++)
            {
                awaitTwoMoreTicks(ticks);
                ((Thread)field.get(monitor)).stop();
            }
            awaitTwoMoreTicks(ticks); // caught, or the thread it ended was replaced
        }
    }

    private static void awaitTwoMoreTicks(final AtomicInteger ticks)
    {
        final int target = ticks.get() + 2;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ticks.get() < target)
        {
            assertTrue(System.nanoTime() < deadline, "the liveness thread stopped ticking");
            Thread.onSpinWait();
        }
    }
}
