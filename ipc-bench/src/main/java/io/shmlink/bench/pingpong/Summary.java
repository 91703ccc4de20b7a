package io.shmlink.bench.pingpong;

import java.util.Arrays;
import java.util.Locale;

/**
 * A figure taken once per round (a ratio, a bandwidth), summarised over the rounds: the median and the range. Every
 * comparison of the harness is made within a round and summarised this way, since a VM's speed changes between
 * rounds.
 *
 * @param median the median over rounds (the mean of the middle two for an even count).
 * @param min    the smallest round's figure.
 * @param max    the largest round's figure.
 */
public record Summary(double median, double min, double max)
{
    /**
     * Summarises per-round figures.
     *
     * @param values one per round, at least one; not modified.
     * @return their median and range.
     */
    public static Summary of(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        final double median = (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Summary(median, sorted[0], sorted[n - 1]);
    }

    /**
     * @return the summary of a ratio as the reports print it: {@code 1.41 [1.33..4.15]}.
     */
    public String ratioText()
    {
        return ratio(median) + " [" + ratio(min) + ".." + ratio(max) + "]";
    }

    /**
     * Two decimals; three significant digits for a small ratio (the floor against a socket is about 0.004), so it
     * does not read 0.00; none for a large one (a socket's backlog at a rate it cannot sustain, against the floor).
     */
    private static String ratio(final double value)
    {
        if (value >= 1000)
        {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, value >= 0.1 ? "%.2f" : "%.3g", value);
    }
}
