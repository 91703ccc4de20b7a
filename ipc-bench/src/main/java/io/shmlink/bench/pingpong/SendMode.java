package io.shmlink.bench.pingpong;

import java.util.Locale;

/**
 * How a throughput sender produces each message ({@link Pinger#sendBurst}). Either way every message holds fresh
 * data ({@link Payload}), so no sender re-sends bytes that a cache already holds for the sink.
 */
public enum SendMode
{
    /**
     * Stamps the message's sequence into every 64-byte line of a source buffer of the sender's own, then hands the
     * buffer to the transport, which copies it ({@code offer}, {@code write}): what a user who builds a message
     * first and sends it second does.
     */
    OFFER,

    /**
     * Claims the space in the transport and writes the whole message there ({@code tryClaim}, then commit): what a
     * zero-copy producer does. Only for transports that can ({@link ThroughputModes#claim()}).
     */
    CLAIM;

    /**
     * @return the mode's name in reports: its own in lower case, words joined by a hyphen ({@code copy-out}).
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
