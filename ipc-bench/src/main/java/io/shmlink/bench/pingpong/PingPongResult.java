package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What a ping-pong run measured: a histogram of round-trip nanoseconds per transport per round, their sums, and
 * what was allocated while measuring. In fixed-rate mode ({@link PingPongOptions#fixedRate()}) the histograms are
 * the corrected ones, timed from each ping's intended send time, and {@link #uncorrected} holds the same round trips
 * timed from their actual send.
 */
public final class PingPongResult
{
    /**
     * A ratio summarised over rounds.
     *
     * @param median the median over rounds (the mean of the middle two for an even count).
     * @param min    the smallest round's ratio.
     * @param max    the largest round's ratio.
     */
    public record RatioSummary(double median, double min, double max)
    {
        /**
         * Summarises per-round ratios.
         *
         * @param ratios one per round, at least one; not modified.
         * @return their median and range.
         */
        public static RatioSummary of(final double[] ratios)
        {
            final double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            final int n = sorted.length;
            final double median = (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new RatioSummary(median, sorted[0], sorted[n - 1]);
        }
    }

    private final PingPongOptions options;
    private final List<String> names;
    private final List<String> descriptions;
    private final Histogram[][] rounds;
    private final Histogram[] overall;
    private final Histogram[][] uncorrectedRounds;
    private final Histogram[] uncorrected;
    private final long[] pingerAllocatedBytes;
    private final long[] echoAllocatedBytes;
    private final long echoPid;
    private final Path runDirectory;
    private final double loadAverage;

    PingPongResult(
        final PingPongOptions options,
        final List<String> names,
        final List<String> descriptions,
        final Histogram[][] rounds,
        final long[] pingerAllocatedBytes,
        final long[] echoAllocatedBytes,
        final long echoPid,
        final Path runDirectory,
        final double loadAverage)
    {
        this(options, names, descriptions, rounds, null, pingerAllocatedBytes, echoAllocatedBytes, echoPid,
            runDirectory, loadAverage);
    }

    PingPongResult(
        final PingPongOptions options,
        final List<String> names,
        final List<String> descriptions,
        final Histogram[][] rounds,
        final Histogram[][] uncorrectedRounds,
        final long[] pingerAllocatedBytes,
        final long[] echoAllocatedBytes,
        final long echoPid,
        final Path runDirectory,
        final double loadAverage)
    {
        this.loadAverage = loadAverage;
        this.uncorrectedRounds = uncorrectedRounds;
        this.uncorrected = uncorrectedRounds == null ? null : sum(uncorrectedRounds, names.size());
        this.options = options;
        this.names = List.copyOf(names);
        this.descriptions = List.copyOf(descriptions);
        this.rounds = rounds;
        this.pingerAllocatedBytes = pingerAllocatedBytes;
        this.echoAllocatedBytes = echoAllocatedBytes;
        this.echoPid = echoPid;
        this.runDirectory = runDirectory;
        this.overall = sum(rounds, names.size());
    }

    private static Histogram[] sum(final Histogram[][] rounds, final int transportCount)
    {
        final Histogram[] sums = new Histogram[transportCount];
        for (int t = 0; t < transportCount; t++)
        {
            sums[t] = RoundTripLoop.newHistogram();
            for (final Histogram[] round : rounds)
            {
                sums[t].add(round[t]);
            }
        }
        return sums;
    }

    /**
     * @return the options of the run.
     */
    public PingPongOptions options()
    {
        return options;
    }

    /**
     * @return the transports' names, in run order; indices below refer to it.
     */
    public List<String> transports()
    {
        return names;
    }

    /**
     * @param transport index of a transport.
     * @return its one-line description.
     */
    public String description(final int transport)
    {
        return descriptions.get(transport);
    }

    /**
     * @param name a transport's name.
     * @return its index, or -1 if it was not run.
     */
    public int indexOf(final String name)
    {
        return names.indexOf(name);
    }

    /**
     * @return the number of rounds.
     */
    public int roundCount()
    {
        return rounds.length;
    }

    /**
     * @param round     index of a round.
     * @param transport index of a transport.
     * @return that transport's round-trip nanoseconds in that round.
     */
    public Histogram round(final int round, final int transport)
    {
        return rounds[round][transport];
    }

    /**
     * @param transport index of a transport.
     * @return all its measured round trips.
     */
    public Histogram overall(final int transport)
    {
        return overall[transport];
    }

    /**
     * @return whether the run was at a fixed rate, so that {@link #uncorrected} exists.
     */
    public boolean fixedRate()
    {
        return uncorrected != null;
    }

    /**
     * Fixed-rate mode only: the round trips of {@link #overall}, timed from their actual send rather than from their
     * intended send time, as a loop blind to coordinated omission would.
     *
     * @param transport index of a transport.
     * @return all its measured round trips, uncorrected.
     * @throws IllegalStateException if the run was back to back.
     */
    public Histogram uncorrected(final int transport)
    {
        if (uncorrected == null)
        {
            throw new IllegalStateException("a back-to-back run has no uncorrected histogram");
        }
        return uncorrected[transport];
    }

    /**
     * Fixed-rate mode only: {@link #uncorrected} of one round.
     *
     * @param round     index of a round.
     * @param transport index of a transport.
     * @return that transport's uncorrected round trips in that round.
     * @throws IllegalStateException if the run was back to back.
     */
    public Histogram uncorrectedRound(final int round, final int transport)
    {
        if (uncorrectedRounds == null)
        {
            throw new IllegalStateException("a back-to-back run has no uncorrected histogram");
        }
        return uncorrectedRounds[round][transport];
    }

    /**
     * Per round, {@code p50(transport) / p50(reference)}: both measured in the same round, minutes apart at most, so
     * a change of host conditions between rounds cancels out.
     *
     * @param transport index of the transport.
     * @param reference index of the reference transport.
     * @return one ratio per round.
     */
    public double[] p50Ratios(final int transport, final int reference)
    {
        return p50Ratios(rounds, transport, reference);
    }

    /**
     * The median and range over rounds of {@link #p50Ratios}.
     *
     * @param transport index of the transport.
     * @param reference index of the reference transport.
     * @return the summary.
     */
    public RatioSummary p50Ratio(final int transport, final int reference)
    {
        return RatioSummary.of(p50Ratios(transport, reference));
    }

    /**
     * {@link #p50Ratio} of the {@link #uncorrected} histograms.
     *
     * @param transport index of the transport.
     * @param reference index of the reference transport.
     * @return the summary.
     * @throws IllegalStateException if the run was back to back.
     */
    public RatioSummary uncorrectedP50Ratio(final int transport, final int reference)
    {
        if (uncorrectedRounds == null)
        {
            throw new IllegalStateException("a back-to-back run has no uncorrected histogram");
        }
        return RatioSummary.of(p50Ratios(uncorrectedRounds, transport, reference));
    }

    private static double[] p50Ratios(final Histogram[][] rounds, final int transport, final int reference)
    {
        final double[] ratios = new double[rounds.length];
        for (int r = 0; r < rounds.length; r++)
        {
            ratios[r] = (double)rounds[r][transport].getValueAtPercentile(50) /
                rounds[r][reference].getValueAtPercentile(50);
        }
        return ratios;
    }

    /**
     * @param transport index of a transport.
     * @return bytes the pinging thread allocated inside that transport's measured loops; 0 is the goal.
     */
    public long pingerAllocatedBytes(final int transport)
    {
        return pingerAllocatedBytes[transport];
    }

    /**
     * @param transport index of a transport.
     * @return bytes the echo thread allocated inside that transport's echo loops (warm-up included, its first loop
     * excluded), or -1 if the child did not report.
     */
    public long echoAllocatedBytes(final int transport)
    {
        return echoAllocatedBytes == null || transport >= echoAllocatedBytes.length ? -1 :
            echoAllocatedBytes[transport];
    }

    /**
     * @return the echo child's pid.
     */
    public long echoPid()
    {
        return echoPid;
    }

    /**
     * @return the host's one-minute load average when the run started (before its own busy threads), or a negative
     * value where the platform does not tell.
     */
    public double loadAverage()
    {
        return loadAverage;
    }

    /**
     * @return the run directory, deleted by the time the result exists.
     */
    public Path runDirectory()
    {
        return runDirectory;
    }
}
