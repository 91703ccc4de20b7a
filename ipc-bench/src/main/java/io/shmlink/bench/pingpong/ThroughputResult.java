package io.shmlink.bench.pingpong;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a throughput run measured: per round and contender ({@link Contender}), the nanoseconds from the first message
 * sent to the acknowledgement of the last, for {@link PingPongOptions#count()} messages of
 * {@link PingPongOptions#messageLength()} bytes; the page faults of both sides during the measured bursts; and what
 * was allocated meanwhile.
 */
public final class ThroughputResult
{
    /** Index into {@link #faults}: the sending process's minor faults; +1 major. */
    public static final int SENDER_PROCESS = 0;

    /** The sending thread's minor faults; +1 major. */
    public static final int SENDER_THREAD = 2;

    /** The sink process's minor faults; +1 major. */
    public static final int SINK_PROCESS = 4;

    /** The sink thread's minor faults; +1 major. */
    public static final int SINK_THREAD = 6;

    private static final double NANOS_PER_SECOND = 1e9;
    private static final double BYTES_PER_GIB = 1L << 30;

    private final PingPongOptions options;
    private final List<String> names;
    private final List<String> descriptions;
    private final List<String> skipped;
    private final long[][] nanos;
    private final long[][] faults;
    private final List<Map<String, Long>> senderFaultsByThread;
    private final long[] pingerAllocatedBytes;
    private final long[] echoAllocatedBytes;
    private final long echoPid;
    private final Path runDirectory;
    private final double loadAverage;

    ThroughputResult(
        final PingPongOptions options,
        final List<String> names,
        final List<String> descriptions,
        final List<String> skipped,
        final long[][] nanos,
        final long[][] faults,
        final List<Map<String, Long>> senderFaultsByThread,
        final long[] pingerAllocatedBytes,
        final long[] echoAllocatedBytes,
        final long echoPid,
        final Path runDirectory,
        final double loadAverage)
    {
        this.options = options;
        this.names = List.copyOf(names);
        this.descriptions = List.copyOf(descriptions);
        this.skipped = List.copyOf(skipped);
        this.nanos = nanos;
        this.faults = faults;
        this.senderFaultsByThread = List.copyOf(senderFaultsByThread);
        this.pingerAllocatedBytes = pingerAllocatedBytes;
        this.echoAllocatedBytes = echoAllocatedBytes;
        this.echoPid = echoPid;
        this.runDirectory = runDirectory;
        this.loadAverage = loadAverage;
    }

    /**
     * @return the options of the run.
     */
    public PingPongOptions options()
    {
        return options;
    }

    /**
     * @return the names of the contenders measured, in run order ({@code "<transport> <send>/<sink>"},
     * {@value Contender#MEMCPY_CACHE}, {@value Contender#MEMCPY_DRAM}); indices below refer to it.
     */
    public List<String> contenders()
    {
        return names;
    }

    /**
     * @return the names of the requested transports that have no throughput mode and were left out.
     */
    public List<String> skipped()
    {
        return skipped;
    }

    /**
     * @param contender index of a contender.
     * @return its one-line description.
     */
    public String description(final int contender)
    {
        return descriptions.get(contender);
    }

    /**
     * @param name a contender's name.
     * @return its index, or -1 if it was not measured.
     */
    public int indexOf(final String name)
    {
        return names.indexOf(name);
    }

    /**
     * @param contender index of a contender.
     * @param transport another transport's name.
     * @return the index of that transport's contender with the same send and sink modes, or -1.
     */
    public int sameModes(final int contender, final String transport)
    {
        final String name = names.get(contender);
        final int space = name.indexOf(' ');
        return space < 0 ? -1 : indexOf(transport + name.substring(space));
    }

    /**
     * @return the number of rounds.
     */
    public int roundCount()
    {
        return nanos.length;
    }

    /**
     * @param round     index of a round.
     * @param contender index of a contender.
     * @return nanoseconds from its first message's send to the acknowledgement of its last, in that round.
     */
    public long nanos(final int round, final int contender)
    {
        return nanos[round][contender];
    }

    /**
     * @return bytes each contender moves per round: count times message length.
     */
    public long bytesPerRound()
    {
        return (long)options.count() * options.messageLength();
    }

    /**
     * @param round     index of a round.
     * @param contender index of a contender.
     * @return messages per second in that round.
     */
    public double messagesPerSecond(final int round, final int contender)
    {
        return options.count() * NANOS_PER_SECOND / nanos[round][contender];
    }

    /**
     * @param round     index of a round.
     * @param contender index of a contender.
     * @return megabytes (10<sup>6</sup> bytes) per second in that round.
     */
    public double megabytesPerSecond(final int round, final int contender)
    {
        return bytesPerRound() * 1e3 / nanos[round][contender];
    }

    /**
     * @param contender index of a contender.
     * @return its megabytes per second over rounds: median and range.
     */
    public PingPongResult.RatioSummary megabytesPerSecond(final int contender)
    {
        final double[] rates = new double[nanos.length];
        for (int r = 0; r < rates.length; r++)
        {
            rates[r] = megabytesPerSecond(r, contender);
        }
        return PingPongResult.RatioSummary.of(rates);
    }

    /**
     * @param contender index of a contender.
     * @return its messages per second over rounds: median and range.
     */
    public PingPongResult.RatioSummary messagesPerSecond(final int contender)
    {
        final double[] rates = new double[nanos.length];
        for (int r = 0; r < rates.length; r++)
        {
            rates[r] = messagesPerSecond(r, contender);
        }
        return PingPongResult.RatioSummary.of(rates);
    }

    /**
     * Per round, the contender's bandwidth over the reference's (both moved the same bytes), taken within the round
     * (see {@link PingPongResult#p50Ratios} for why), summarised over rounds.
     *
     * @param contender index of the contender.
     * @param reference index of the reference.
     * @return median and range; above 1 means faster than the reference.
     */
    public PingPongResult.RatioSummary ratio(final int contender, final int reference)
    {
        final double[] ratios = new double[nanos.length];
        for (int r = 0; r < ratios.length; r++)
        {
            ratios[r] = (double)nanos[r][reference] / nanos[r][contender];
        }
        return PingPongResult.RatioSummary.of(ratios);
    }

    /**
     * @param contender index of a contender.
     * @param counter   {@link #SENDER_PROCESS}, {@link #SENDER_THREAD}, {@link #SINK_PROCESS} or
     *                  {@link #SINK_THREAD}; +1 for major faults.
     * @return the faults that counter took in the contender's measured bursts, over all rounds, or -1 if unknown.
     */
    public long faults(final int contender, final int counter)
    {
        return faults[contender][counter];
    }

    /**
     * The sending process's threads that took the most minor page faults in the contender's measured bursts.
     *
     * @param contender index into {@link #contenders()}.
     * @param limit     how many threads.
     * @return thread name (as the kernel knows it) to faults per GiB moved, most first; empty where unknown.
     */
    public Map<String, Double> senderThreadFaultsPerGib(final int contender, final int limit)
    {
        final double gib = (double)bytesPerRound() * nanos.length / BYTES_PER_GIB;
        final Map<String, Double> perGib = new LinkedHashMap<>();
        ThreadFaults.top(senderFaultsByThread.get(contender), limit)
            .forEach((name, count) -> perGib.put(name, count / gib));
        return perGib;
    }

    /**
     * @param contender index of a contender.
     * @param counter   as {@link #faults}.
     * @return those faults per GiB moved, or -1 if unknown.
     */
    public double faultsPerGib(final int contender, final int counter)
    {
        final long count = faults[contender][counter];
        return count < 0 ? -1 : count * BYTES_PER_GIB / ((double)bytesPerRound() * nanos.length);
    }

    /**
     * @param contender index of a contender.
     * @return bytes the sending thread allocated inside that contender's measured bursts; 0 is the goal.
     */
    public long pingerAllocatedBytes(final int contender)
    {
        return pingerAllocatedBytes[contender];
    }

    /**
     * @param contender index of a contender.
     * @return bytes the sink thread allocated in its transport's loops (its first excluded; every mode of the
     * transport together), or -1 if unknown or not a transport.
     */
    public long echoAllocatedBytes(final int contender)
    {
        return echoAllocatedBytes == null || contender >= echoAllocatedBytes.length ? -1 :
            echoAllocatedBytes[contender];
    }

    /**
     * @return the echo child's pid.
     */
    public long echoPid()
    {
        return echoPid;
    }

    /**
     * @return the one-minute load average when the run started, negative where unknown.
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
