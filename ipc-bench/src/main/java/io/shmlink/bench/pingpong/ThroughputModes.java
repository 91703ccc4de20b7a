package io.shmlink.bench.pingpong;

import java.util.List;

/**
 * How a transport serves a throughput run ({@link Transport#throughputModes()}), if at all: how its pinger can send
 * a burst ({@link Pinger#sendBurst}, {@link SendMode}) and how its echo can sink one ({@link Echo#sink},
 * {@link SinkMode}). The run measures every pair that a value allows ({@link Contender#of}).
 */
public enum ThroughputModes
{
    /** No throughput mode: a throughput run leaves the transport out. */
    NONE(false),

    /** Sends by offer (a copy from the sender's buffer); reads in place or copied out. */
    OFFER(false, SinkMode.IN_PLACE, SinkMode.COPY_OUT),

    /** As {@link #OFFER}, and also claims room and writes the message there, read in place: the zero-copy pair. */
    OFFER_AND_CLAIM(true, SinkMode.IN_PLACE, SinkMode.COPY_OUT),

    /** A stream socket: writes, and reads by {@code read}, which copies each message out of the kernel. */
    STREAM(false, SinkMode.COPY_OUT);

    private final boolean claim;
    private final List<SinkMode> sinks;

    ThroughputModes(final boolean claim, final SinkMode... sinks)
    {
        this.claim = claim;
        this.sinks = List.of(sinks);
    }

    /**
     * @return whether the pinger can claim ({@link SendMode#CLAIM}).
     */
    public boolean claim()
    {
        return claim;
    }

    /**
     * @return how the echo can sink; none for {@link #NONE}.
     */
    public List<SinkMode> sinks()
    {
        return sinks;
    }
}
