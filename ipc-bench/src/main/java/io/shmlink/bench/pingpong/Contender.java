package io.shmlink.bench.pingpong;

import java.util.ArrayList;
import java.util.List;

/**
 * One column of a throughput run: a transport with a way to send and a way to read ({@link SendMode},
 * {@link SinkMode}), or a {@link MemcpyReference} measured in the parent alone.
 *
 * @param name        its name in reports: {@code "<transport> <send>/<sink>"}, or the reference's name.
 * @param description one line on what it measures.
 * @param transport   index of the transport in the run, or -1 for a memcpy reference.
 * @param send        how messages are produced, or null for a memcpy reference.
 * @param sink        how messages are read, or null for a memcpy reference.
 * @param memcpy      the memcpy reference, or null for a transport.
 */
record Contender(String name, String description, int transport, SendMode send, SinkMode sink,
    MemcpyReference memcpy)
{
    /** Name of the cache-resident memcpy reference. */
    static final String MEMCPY_CACHE = "memcpy-cache";

    /** Name of the DRAM memcpy reference. */
    static final String MEMCPY_DRAM = "memcpy-dram";

    /**
     * @param transport a transport's name.
     * @param send      how it sends.
     * @param sink      how its sink reads.
     * @return the contender's name.
     */
    static String name(final String transport, final SendMode send, final SinkMode sink)
    {
        return transport + " " + send.label() + "/" + sink.label();
    }

    /**
     * The contenders of a transport, in report order: {@code offer} with every sink mode it has, then, if it can
     * claim, {@code claim} with an in-place sink (the zero-copy pair); see {@link ThroughputModes}.
     *
     * @param index       the transport's index in the run.
     * @param transport   the transport.
     * @param description its description.
     * @return its contenders.
     */
    static List<Contender> of(final int index, final Transport transport, final String description)
    {
        final List<Contender> contenders = new ArrayList<>();
        final ThroughputModes modes = transport.throughputModes();
        for (final SinkMode sink : modes.sinks())
        {
            contenders.add(new Contender(name(transport.name(), SendMode.OFFER, sink),
                description + "; " + SendMode.OFFER.label() + ", " + sink.label(), index, SendMode.OFFER, sink, null));
        }
        if (modes.claim() && modes.sinks().contains(SinkMode.IN_PLACE))
        {
            contenders.add(new Contender(name(transport.name(), SendMode.CLAIM, SinkMode.IN_PLACE),
                description + "; " + SendMode.CLAIM.label() + ", " + SinkMode.IN_PLACE.label(), index,
                SendMode.CLAIM, SinkMode.IN_PLACE, null));
        }
        return contenders;
    }

    /**
     * @return whether this is a memcpy reference rather than a transport.
     */
    boolean isMemcpy()
    {
        return memcpy != null;
    }

    /**
     * @return the control word's value that has the child sink this contender ({@link EchoMain#sinkCode}).
     */
    int code()
    {
        return EchoMain.sinkCode(transport, sink);
    }
}
