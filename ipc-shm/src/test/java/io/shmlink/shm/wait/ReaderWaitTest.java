package io.shmlink.shm.wait;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A wait policy is a value whose phases are checked however it is made ({@code SpinBudgetTest}: how a waiter
 * goes through them).
 */
class ReaderWaitTest
{
    @Test
    void aPolicyMadeFromDurationsHasThoseDurationsInNanosecondsAndTheDefaultLongestSleep()
    {
        final ReaderWait wait = ReaderWait.of(Duration.ofNanos(5_000), Duration.ofNanos(7_000));

        assertEquals(new ReaderWait(5_000, 7_000, ReaderWait.blocking().maxSleepNanos()), wait);
        assertEquals(3_000_000, wait.withMaxSleep(Duration.ofMillis(3)).maxSleepNanos());
    }

    @Test
    void aNegativePhaseIsRefusedHoweverThePolicyIsMade()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReaderWait(-1, 0, 1_000_000));
        assertThrows(IllegalArgumentException.class, () -> new ReaderWait(0, -1, 1_000_000));
        assertThrows(IllegalArgumentException.class, () -> ReaderWait.of(Duration.ofNanos(-1), Duration.ZERO));
        // too long for a long in nanoseconds: it must not saturate to spinning for ever
        assertThrows(IllegalArgumentException.class,
            () -> ReaderWait.of(Duration.ofSeconds(Long.MIN_VALUE), Duration.ZERO));
    }

    @Test
    void aLongestSleepUnderOneMillisecondIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReaderWait(0, 0, 999_999));
        assertThrows(IllegalArgumentException.class, () -> ReaderWait.blocking().withMaxSleep(Duration.ZERO));
        assertEquals(Long.MAX_VALUE,
            ReaderWait.blocking().withMaxSleep(Duration.ofSeconds(Long.MAX_VALUE)).maxSleepNanos());
    }
}
