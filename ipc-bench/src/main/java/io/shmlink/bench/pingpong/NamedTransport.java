package io.shmlink.bench.pingpong;

/**
 * What the built-in transports share: a name and the throughput modes, fixed when the instance is made, so that each
 * transport says them once, in its constructor.
 */
public abstract class NamedTransport implements Transport
{
    private final String name;
    private final ThroughputModes throughputModes;

    /**
     * @param name            {@link #name()}: {@code [a-z0-9-]+}.
     * @param throughputModes {@link #throughputModes()}.
     */
    protected NamedTransport(final String name, final ThroughputModes throughputModes)
    {
        this.name = name;
        this.throughputModes = throughputModes;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public ThroughputModes throughputModes()
    {
        return throughputModes;
    }
}
