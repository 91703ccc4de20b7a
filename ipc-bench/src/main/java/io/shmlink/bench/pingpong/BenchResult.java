package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured, in every mode: per round and per column, and what the measuring threads allocated meanwhile.
 * A column is a transport in a latency run and a contender in a throughput run ({@link BenchRun}; a contender is a
 * transport with a send and a sink mode, or a memcpy reference, {@link Contender}).
 * <ul>
 *   <li>Latency: a histogram of round-trip nanoseconds per round and transport. At a fixed rate
 *   ({@link PingPongOptions#fixedRate()}) those are the corrected ones, timed from each ping's intended send time,
 *   and {@link #uncorrected} holds the same round trips timed from their actual send.</li>
 *   <li>Throughput: per round and contender the nanoseconds from the first message of a burst of
 *   {@link PingPongOptions#count()} messages to the acknowledgement of its last, and the page faults of both sides
 *   during the measured bursts.</li>
 * </ul>
 * Either way the columns are compared within each round ({@link #ratio}) before the comparison is summarised over
 * rounds ({@link Summary}): on a VM the same code's speed changes from one minute to the next.
 */
public final class BenchResult
{
    /** Index into {@link #faults}: the sending process's minor faults; +1 major. */
    public static final int SENDER_PROCESS = 0;

    /** The sending thread's minor faults; +1 major. */
    public static final int SENDER_THREAD = 2;

    /** The sink process's minor faults; +1 major. */
    public static final int SINK_PROCESS = 4;

    /** The sink thread's minor faults; +1 major. */
    public static final int SINK_THREAD = 6;

    /** Counters per column in {@link #faults}: the four above, minor and major. */
    static final int FAULT_COUNTERS = 8;

    private static final double BYTES_PER_GIB = 1L << 30;

    private final PingPongOptions options;
    private final List<String> names;
    private final List<String> descriptions;
    private final List<String> skipped;
    private final long[] pingerAllocatedBytes;
    private final long[] echoAllocatedBytes;
    private final Session session;

    private final Histogram[][] rounds;
    private final Histogram[] overall;
    private final Histogram[][] uncorrectedRounds;
    private final Histogram[] uncorrected;

    private final long[][] nanos;
    private final long[][] faults;
    private final List<Map<String, Long>> senderFaultsByThread;
    private final CpuPerGib cpu;

    /**
     * A run's result; the other mode's arguments are null.
     *
     * @param options              the options of the run.
     * @param names                the columns, in run order.
     * @param descriptions         their one-line descriptions.
     * @param skipped              throughput: the requested transports without a throughput mode, left out.
     * @param rounds               latency: per round and transport, the round trips (corrected, at a fixed rate).
     * @param uncorrectedRounds    latency at a fixed rate: the same round trips timed from their actual send.
     * @param nanos                throughput: per round and contender, the burst's nanoseconds.
     * @param faults               throughput: per contender, {@value #FAULT_COUNTERS} fault counts over its bursts.
     * @param senderFaultsByThread throughput: per contender, the sending process's other threads' minor faults.
     * @param cpu                  throughput: per contender, both processes' CPU time over its measured bursts, or
     *                             null.
     * @param pingerAllocatedBytes per column, what the measuring thread allocated in the measured loops.
     * @param echoAllocatedBytes   per column, what the echo or sink thread allocated in its loops, or null.
     * @param session              the run's echo child and directory.
     */
    BenchResult(
        final PingPongOptions options,
        final List<String> names,
        final List<String> descriptions,
        final List<String> skipped,
        final Histogram[][] rounds,
        final Histogram[][] uncorrectedRounds,
        final long[][] nanos,
        final long[][] faults,
        final List<Map<String, Long>> senderFaultsByThread,
        final CpuPerGib cpu,
        final long[] pingerAllocatedBytes,
        final long[] echoAllocatedBytes,
        final Session session)
    {
        this.options = options;
        this.names = List.copyOf(names);
        this.descriptions = List.copyOf(descriptions);
        this.skipped = skipped == null ? List.of() : List.copyOf(skipped);
        this.rounds = rounds;
        this.overall = rounds == null ? null : sum(rounds, names.size());
        this.uncorrectedRounds = uncorrectedRounds;
        this.uncorrected = uncorrectedRounds == null ? null : sum(uncorrectedRounds, names.size());
        this.nanos = nanos;
        this.faults = faults;
        this.senderFaultsByThread = senderFaultsByThread == null ? null : List.copyOf(senderFaultsByThread);
        this.cpu = cpu;
        this.pingerAllocatedBytes = pingerAllocatedBytes;
        this.echoAllocatedBytes = echoAllocatedBytes;
        this.session = session;
    }

    /**
     * What every result says of the run that made it.
     *
     * @param echoPid      the echo child's pid.
     * @param runDirectory the run directory, deleted by the time the result exists.
     * @param loadAverage  the host's one-minute load average when the run started (before its own busy threads),
     *                     negative where the platform does not tell.
     */
    public record Session(long echoPid, Path runDirectory, double loadAverage)
    {
    }

    private static Histogram[] sum(final Histogram[][] rounds, final int columns)
    {
        final Histogram[] sums = new Histogram[columns];
        for (int t = 0; t < columns; t++)
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
     * @return whether this is a throughput run's result, else a latency run's.
     */
    public boolean throughput()
    {
        return nanos != null;
    }

    /**
     * @return whether the run was at a fixed rate, so that {@link #uncorrected} exists.
     */
    public boolean fixedRate()
    {
        return uncorrected != null;
    }

    /**
     * @return the columns' names, in run order: transports ({@code "shmlink-spsc"}), or throughput contenders
     * ({@code "<transport> <send>/<sink>"}, {@value Contender#MEMCPY_CACHE}, {@value Contender#MEMCPY_DRAM});
     * indices below refer to it.
     */
    public List<String> columns()
    {
        return names;
    }

    /**
     * @param column index of a column.
     * @return its one-line description.
     */
    public String description(final int column)
    {
        return descriptions.get(column);
    }

    /**
     * @param name a column's name.
     * @return its index, or -1 if it was not measured.
     */
    public int indexOf(final String name)
    {
        return names.indexOf(name);
    }

    /**
     * @return the requested transports that have no throughput mode and were left out; none in a latency run.
     */
    public List<String> skipped()
    {
        return skipped;
    }

    /**
     * @return the number of rounds.
     */
    public int roundCount()
    {
        return throughput() ? nanos.length : rounds.length;
    }

    /**
     * The round's figure of a column: a latency run's p50 in ns (corrected, at a fixed rate), a throughput run's
     * MB/s.
     *
     * @param round  index of a round.
     * @param column index of a column.
     * @return the figure.
     */
    public double figure(final int round, final int column)
    {
        return throughput() ? megabytesPerSecond(round, column) : rounds[round][column].getValueAtPercentile(50);
    }

    /**
     * Per round, the column's figure against the reference's, both taken in the same round, minutes apart at most,
     * so that a change of host conditions between rounds cancels out: a latency run's {@code p50(column) /
     * p50(reference)}, a throughput run's bandwidth over the reference's (both moved the same bytes).
     *
     * @param column    index of the column.
     * @param reference index of the reference column.
     * @return one ratio per round.
     */
    public double[] ratios(final int column, final int reference)
    {
        return ratios(rounds, column, reference);
    }

    /**
     * The median and range over rounds of {@link #ratios}.
     *
     * @param column    index of the column.
     * @param reference index of the reference column.
     * @return the summary; in a throughput run above 1 means faster than the reference.
     */
    public Summary ratio(final int column, final int reference)
    {
        return Summary.of(ratios(column, reference));
    }

    /**
     * {@link #ratio} of the {@link #uncorrected} histograms.
     *
     * @param column    index of the column.
     * @param reference index of the reference column.
     * @return the summary.
     * @throws IllegalStateException if the run was not at a fixed rate.
     */
    public Summary uncorrectedRatio(final int column, final int reference)
    {
        if (uncorrectedRounds == null)
        {
            throw new IllegalStateException("only a fixed-rate run has uncorrected histograms");
        }
        return Summary.of(ratios(uncorrectedRounds, column, reference));
    }

    private double[] ratios(final Histogram[][] histograms, final int column, final int reference)
    {
        final double[] ratios = new double[roundCount()];
        for (int r = 0; r < ratios.length; r++)
        {
            ratios[r] = throughput() ? (double)nanos[r][reference] / nanos[r][column] :
                (double)histograms[r][column].getValueAtPercentile(50) /
                    histograms[r][reference].getValueAtPercentile(50);
        }
        return ratios;
    }

    /**
     * Latency run: the round trips of one round.
     *
     * @param round  index of a round.
     * @param column index of a transport.
     * @return its round-trip nanoseconds in that round.
     */
    public Histogram round(final int round, final int column)
    {
        return rounds[round][column];
    }

    /**
     * Latency run: every measured round trip of a transport.
     *
     * @param column index of a transport.
     * @return its round trips over all rounds.
     */
    public Histogram overall(final int column)
    {
        return overall[column];
    }

    /**
     * Fixed-rate run: the round trips of {@link #overall}, timed from their actual send rather than from their
     * intended send time, as a loop blind to coordinated omission would.
     *
     * @param column index of a transport.
     * @return all its measured round trips, uncorrected.
     * @throws IllegalStateException if the run was not at a fixed rate.
     */
    public Histogram uncorrected(final int column)
    {
        if (uncorrected == null)
        {
            throw new IllegalStateException("only a fixed-rate run has uncorrected histograms");
        }
        return uncorrected[column];
    }

    /**
     * Fixed-rate run: {@link #uncorrected} of one round.
     *
     * @param round  index of a round.
     * @param column index of a transport.
     * @return that transport's uncorrected round trips in that round.
     * @throws IllegalStateException if the run was not at a fixed rate.
     */
    public Histogram uncorrectedRound(final int round, final int column)
    {
        if (uncorrectedRounds == null)
        {
            throw new IllegalStateException("only a fixed-rate run has uncorrected histograms");
        }
        return uncorrectedRounds[round][column];
    }

    /**
     * Throughput run.
     *
     * @param round  index of a round.
     * @param column index of a contender.
     * @return nanoseconds from its first message's send to the acknowledgement of its last, in that round.
     */
    public long nanos(final int round, final int column)
    {
        return nanos[round][column];
    }

    /**
     * @return bytes each contender of a throughput run moves per round: count times message length.
     */
    public long bytesPerRound()
    {
        return (long)options.count() * options.messageLength();
    }

    /**
     * Throughput run.
     *
     * @param round  index of a round.
     * @param column index of a contender.
     * @return megabytes (10<sup>6</sup> bytes) per second in that round.
     */
    public double megabytesPerSecond(final int round, final int column)
    {
        return bytesPerRound() * 1e3 / nanos[round][column];
    }

    /**
     * Throughput run.
     *
     * @param column index of a contender.
     * @return its megabytes per second over rounds.
     */
    public Summary megabytesPerSecond(final int column)
    {
        final double[] rates = new double[nanos.length];
        for (int r = 0; r < rates.length; r++)
        {
            rates[r] = megabytesPerSecond(r, column);
        }
        return Summary.of(rates);
    }

    /**
     * Throughput run.
     *
     * @param column index of a contender.
     * @return its messages per second over rounds.
     */
    public Summary messagesPerSecond(final int column)
    {
        final double[] rates = new double[nanos.length];
        for (int r = 0; r < rates.length; r++)
        {
            rates[r] = options.count() * 1e9 / nanos[r][column];
        }
        return Summary.of(rates);
    }

    /**
     * Throughput run.
     *
     * @param column    index of a contender.
     * @param transport another transport's name.
     * @return the index of that transport's contender with the same send and sink modes, or -1.
     */
    public int sameModes(final int column, final String transport)
    {
        final String name = names.get(column);
        final int space = name.indexOf(' ');
        return space < 0 ? -1 : indexOf(transport + name.substring(space));
    }

    /**
     * Throughput run.
     *
     * @param column  index of a contender.
     * @param counter {@link #SENDER_PROCESS}, {@link #SENDER_THREAD}, {@link #SINK_PROCESS} or
     *                {@link #SINK_THREAD}; +1 for major faults.
     * @return the faults that counter took in the contender's measured bursts, over all rounds, or -1 if unknown.
     */
    public long faults(final int column, final int counter)
    {
        return faults[column][counter];
    }

    /**
     * Throughput run.
     *
     * @param column  index of a contender.
     * @param counter as {@link #faults}.
     * @return those faults per GiB moved, or -1 if unknown.
     */
    public double faultsPerGib(final int column, final int counter)
    {
        final long count = faults[column][counter];
        return count < 0 ? -1 : count * BYTES_PER_GIB / ((double)bytesPerRound() * nanos.length);
    }

    /**
     * Throughput run: CPU time ({@code utime + stime}, every thread) per GiB moved, over the contender's measured
     * bursts only ({@link CpuPerGib}).
     *
     * @param column index of a contender.
     * @param sink   false for the sending process, true for the sink's.
     * @return CPU seconds per GiB, or -1 if unknown (memcpy's sink: 0).
     */
    public double cpuSecondsPerGib(final int column, final boolean sink)
    {
        return cpu == null ? -1 : cpu.secondsPerGib(column, sink ? CpuPerGib.SINK : CpuPerGib.SENDER);
    }

    /**
     * Throughput run: the sending process's threads that took the most minor page faults in the contender's measured
     * bursts.
     *
     * @param column index of a contender.
     * @param limit  how many threads.
     * @return thread name (as the kernel knows it) to faults per GiB moved, most first; empty where unknown.
     */
    public Map<String, Double> senderThreadFaultsPerGib(final int column, final int limit)
    {
        final double gib = (double)bytesPerRound() * nanos.length / BYTES_PER_GIB;
        final Map<String, Double> perGib = new LinkedHashMap<>();
        ThreadFaults.top(senderFaultsByThread.get(column), limit)
            .forEach((name, count) -> perGib.put(name, count / gib));
        return perGib;
    }

    /**
     * @param column index of a column.
     * @return bytes the pinging (sending) thread allocated inside that column's measured loops; 0 is the goal.
     */
    public long pingerAllocatedBytes(final int column)
    {
        return pingerAllocatedBytes[column];
    }

    /**
     * @param column index of a column.
     * @return bytes the echo (sink) thread allocated inside its transport's loops, its first loop excluded and
     * warm-up included (a throughput run: every mode of the transport together), or -1 if unknown or not a
     * transport.
     */
    public long echoAllocatedBytes(final int column)
    {
        return echoAllocatedBytes == null || column >= echoAllocatedBytes.length ? -1 : echoAllocatedBytes[column];
    }

    /**
     * @return the run that made this result: its echo child's pid, its directory, the host's load when it started.
     */
    public Session session()
    {
        return session;
    }
}
