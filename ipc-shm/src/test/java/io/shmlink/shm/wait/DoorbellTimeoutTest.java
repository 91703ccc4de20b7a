package io.shmlink.shm.wait;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A doorbell's sleep bound in the selector's milliseconds: rounded up, at least one, and never wrapped around.
 */
class DoorbellTimeoutTest
{
    @Test
    void aTimeoutIsRoundedUpToWholeMillisecondsAndIsAtLeastOne()
    {
        assertEquals(1, Doorbell.selectMillis(0));
        assertEquals(1, Doorbell.selectMillis(-5));
        assertEquals(1, Doorbell.selectMillis(1));
        assertEquals(1, Doorbell.selectMillis(1_000_000));
        assertEquals(2, Doorbell.selectMillis(1_000_001));
        assertEquals(10, Doorbell.selectMillis(10_000_000));
    }

    @Test
    void theLongestTimeoutStaysTheLongestWait()
    {
        // Long.MAX_VALUE + 999,999 wrapped to a negative number: the sleeper woke every millisecond
        assertEquals(Long.MAX_VALUE / 1_000_000 + 1, Doorbell.selectMillis(Long.MAX_VALUE));
    }
}
