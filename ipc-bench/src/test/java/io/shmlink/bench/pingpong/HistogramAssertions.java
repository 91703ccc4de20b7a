package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks every transport's measured histogram must pass, whatever the host: the right count, positive and
 * monotone percentiles, a mean inside the range. Bounds on the values themselves would fail on a slow or busy CI
 * machine; these only fail on a broken measurement.
 */
final class HistogramAssertions
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    private HistogramAssertions()
    {
    }

    /**
     * @param name      the transport, for messages.
     * @param histogram its round trips.
     * @param count     how many there must be.
     */
    static void assertPlausible(final String name, final Histogram histogram, final long count)
    {
        assertEquals(count, histogram.getTotalCount(), name + " count");
        long previous = histogram.getValueAtPercentile(PERCENTILES[0]);
        assertTrue(previous > 0, name + " p50 " + previous);
        final StringBuilder values = new StringBuilder();
        for (final double percentile : PERCENTILES)
        {
            final long value = histogram.getValueAtPercentile(percentile);
            values.append(" p").append(percentile).append('=').append(value);
            assertTrue(value >= previous, name + " percentiles not monotone:" + values);
            previous = value;
        }
        assertTrue(histogram.getMaxValue() >= previous, name + " max " + histogram.getMaxValue() + " <" + values);
        assertTrue(histogram.getMean() > 0 && histogram.getMean() <= histogram.getMaxValue(),
            name + " mean " + histogram.getMean());
        // A round trip between two processes on one host takes more than 50 ns (two cache-line transfers) and, for
        // the median, far less than a second, whatever the machine.
        final long p50 = histogram.getValueAtPercentile(50);
        assertTrue(p50 >= 50 && p50 < 1_000_000_000L, name + " implausible p50 " + p50 + " ns");
    }
}
