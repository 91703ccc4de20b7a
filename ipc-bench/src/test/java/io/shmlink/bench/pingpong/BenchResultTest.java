package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchResultTest
{
    @Test
    void ratiosAreTakenWithinEachRoundThenSummarisedByTheirMedian()
    {
        // floor's p50 drifts 100 -> 400 ns across rounds, as on a VM whose vCPUs move; the other's ratio does not.
        final BenchResult result = result(new long[][] {{100, 150}, {200, 500}, {400, 400}});

        assertArrayEquals(new double[] {1.5, 2.5, 1.0}, result.ratios(1, 0), 1e-9);
        assertEquals(new Summary(1.5, 1.0, 2.5), result.ratio(1, 0));
        assertEquals(3, result.overall(0).getTotalCount());
        assertEquals(400, result.overall(0).getMaxValue());
        assertEquals(200, result.overall(0).getValueAtPercentile(50));
    }

    @Test
    void theMedianOfAnEvenNumberOfRoundsIsTheMeanOfTheMiddleTwo()
    {
        final BenchResult result = result(new long[][] {{100, 100}, {100, 200}, {100, 300}, {100, 1000}});

        assertEquals(new Summary(2.5, 1.0, 10.0), result.ratio(1, 0));
    }

    private static BenchResult result(final long[][] p50s)
    {
        final Histogram[][] rounds = new Histogram[p50s.length][2];
        for (int r = 0; r < p50s.length; r++)
        {
            for (int t = 0; t < 2; t++)
            {
                rounds[r][t] = RoundTripLoop.newHistogram();
                rounds[r][t].recordValue(p50s[r][t]);
            }
        }
        return new BenchResult(new PingPongOptions(List.of("floor", "other"), p50s.length, 1, 0, 8, null),
            List.of("floor", "other"), List.of("", ""), null, rounds, null, null, null, null, null, new long[2],
            new long[2], new BenchResult.Session(1, Path.of("none"), 0.0));
    }
}
