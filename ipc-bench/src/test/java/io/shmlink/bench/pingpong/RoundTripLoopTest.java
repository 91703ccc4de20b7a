package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixed-rate loop against an in-process pinger whose round trips take a known time: no child JVM, milliseconds.
 */
class RoundTripLoopTest
{
    private static final long MICROSECOND = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MILLISECOND = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void pingsNeverGoAheadOfTheSchedule()
    {
        final Histogram corrected = RoundTripLoop.newHistogram();
        final Histogram uncorrected = RoundTripLoop.newHistogram();
        final int count = 50;
        final int rate = 10_000; // one every 100 us

        final long start = System.nanoTime();
        final long next = RoundTripLoop.runAtRate(new StallingPinger(-1, 0), 7, count, rate, corrected, uncorrected);
        final long elapsed = System.nanoTime() - start;

        assertEquals(7 + count, next);
        assertEquals(count, corrected.getTotalCount());
        assertEquals(count, uncorrected.getTotalCount());
        // The last ping is due 49 intervals after the first: a loop that does not wait finishes in microseconds.
        assertTrue(elapsed >= (count - 1) * 100 * MICROSECOND, "took only " + elapsed + " ns");
    }

    @Test
    void aStallDelaysThePingsDueDuringItAndOnlyTheCorrectedHistogramSeesThat()
    {
        final Histogram corrected = RoundTripLoop.newHistogram();
        final Histogram uncorrected = RoundTripLoop.newHistogram();
        final int rate = 10_000; // one every 100 us

        // The 10th round trip takes 2 ms: the next ~19 pings fall due meanwhile and go late.
        RoundTripLoop.runAtRate(new StallingPinger(10, 2 * MILLISECOND), 1, 60, rate, corrected, uncorrected);

        assertTrue(corrected.getMaxValue() >= 2 * MILLISECOND, "max " + corrected.getMaxValue());
        // Pings due 100 us, 200 us... after the stalled one waited 1.9 ms, 1.8 ms...: at least 9 of them over 1 ms
        // from their intended send, but each fast from its actual send. Preemption can add slow samples to both
        // histograms, never take the difference away.
        final long lateCorrected = countAtOrAbove(corrected, MILLISECOND);
        final long lateUncorrected = countAtOrAbove(uncorrected, MILLISECOND);
        assertTrue(lateCorrected >= lateUncorrected + 5,
            "corrected >= 1 ms: " + lateCorrected + ", uncorrected: " + lateUncorrected);
        for (final double percentile : new double[] {50, 90, 99, 99.9, 99.99, 100})
        {
            assertTrue(corrected.getValueAtPercentile(percentile) >= uncorrected.getValueAtPercentile(percentile),
                "p" + percentile);
        }
    }

    private static long countAtOrAbove(final Histogram histogram, final long value)
    {
        return histogram.getTotalCount() - histogram.getCountBetweenValues(0, value - 1);
    }

    /**
     * Echoes at once, except that round trip number {@code stallAt} (from 1) busy-waits {@code stallNanos} first.
     */
    private static final class StallingPinger implements Pinger
    {
        private final int stallAt;
        private final long stallNanos;
        private int calls;

        StallingPinger(final int stallAt, final long stallNanos)
        {
            this.stallAt = stallAt;
            this.stallNanos = stallNanos;
        }

        @Override
        public long roundTrip(final long sequence)
        {
            if (++calls == stallAt)
            {
                final long end = System.nanoTime() + stallNanos;
                while (System.nanoTime() < end)
                {
                    Thread.onSpinWait();
                }
            }
            return sequence;
        }

        @Override
        public void close()
        {
        }
    }
}
