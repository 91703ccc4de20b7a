package io.shmlink.bench.pingpong;

import java.io.IOException;

/**
 * A test transport that creates and pings exactly as a real one does and brings its own echo side, to prove the
 * harness notices what that side does wrong. The child JVM makes a subclass by class name, as it would any transport.
 */
abstract class EchoReplacingTransport extends NamedTransport
{
    private final Transport real;

    /**
     * @param name            the test transport's name.
     * @param throughputModes how it serves a throughput run.
     * @param real            the transport whose files and pinger it uses.
     */
    EchoReplacingTransport(final String name, final ThroughputModes throughputModes, final Transport real)
    {
        super(name, throughputModes);
        this.real = real;
    }

    @Override
    public void create(final LinkSpec link) throws IOException
    {
        real.create(link);
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch) throws IOException
    {
        return real.openPinger(link, watch);
    }
}
