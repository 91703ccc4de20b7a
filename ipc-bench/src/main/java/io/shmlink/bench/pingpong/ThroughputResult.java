package io.shmlink.bench.pingpong;

import java.nio.file.Path;
import java.util.List;

/**
 * What a throughput run measured: per round and transport, the nanoseconds from the first message sent to the
 * acknowledgement of the last, for {@link PingPongOptions#count()} messages of {@link PingPongOptions#messageLength()}
 * bytes; and what was allocated meanwhile.
 */
public final class ThroughputResult
{
    private static final double NANOS_PER_SECOND = 1e9;

    private final PingPongOptions options;
    private final List<String> names;
    private final List<String> descriptions;
    private final List<String> skipped;
    private final long[][] nanos;
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
     * @return the names of the transports measured, in run order; indices below refer to it.
     */
    public List<String> transports()
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
     * @param transport index of a transport.
     * @return its one-line description.
     */
    public String description(final int transport)
    {
        return descriptions.get(transport);
    }

    /**
     * @param name a transport's name.
     * @return its index, or -1 if it was not measured.
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
        return nanos.length;
    }

    /**
     * @param round     index of a round.
     * @param transport index of a transport.
     * @return nanoseconds from its first message's send to the acknowledgement of its last, in that round.
     */
    public long nanos(final int round, final int transport)
    {
        return nanos[round][transport];
    }

    /**
     * @param round     index of a round.
     * @param transport index of a transport.
     * @return messages per second in that round.
     */
    public double messagesPerSecond(final int round, final int transport)
    {
        return options.count() * NANOS_PER_SECOND / nanos[round][transport];
    }

    /**
     * @param transport index of a transport.
     * @return its messages per second over rounds: median and range.
     */
    public PingPongResult.RatioSummary messagesPerSecond(final int transport)
    {
        final double[] rates = new double[nanos.length];
        for (int r = 0; r < rates.length; r++)
        {
            rates[r] = messagesPerSecond(r, transport);
        }
        return PingPongResult.RatioSummary.of(rates);
    }

    /**
     * Per round, the transport's messages per second over the reference's, taken within the round (see
     * {@link PingPongResult#p50Ratios} for why), summarised over rounds.
     *
     * @param transport index of the transport.
     * @param reference index of the reference transport.
     * @return median and range; above 1 means faster than the reference.
     */
    public PingPongResult.RatioSummary ratio(final int transport, final int reference)
    {
        final double[] ratios = new double[nanos.length];
        for (int r = 0; r < ratios.length; r++)
        {
            ratios[r] = (double)nanos[r][reference] / nanos[r][transport];
        }
        return PingPongResult.RatioSummary.of(ratios);
    }

    /**
     * @param transport index of a transport.
     * @return bytes the sending thread allocated inside that transport's measured bursts; 0 is the goal.
     */
    public long pingerAllocatedBytes(final int transport)
    {
        return pingerAllocatedBytes[transport];
    }

    /**
     * @param transport index of a transport.
     * @return bytes the sink thread allocated in that transport's loops (its first excluded), or -1 if unknown.
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
