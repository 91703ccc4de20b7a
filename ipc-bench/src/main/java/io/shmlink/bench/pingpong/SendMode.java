package io.shmlink.bench.pingpong;

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
    OFFER("offer"),

    /**
     * Claims the space in the transport and writes the whole message there ({@code tryClaim}, then commit): what a
     * zero-copy producer does. Only for transports that can ({@link Transport#supportsClaim()}).
     */
    CLAIM("claim");

    private final String label;

    SendMode(final String label)
    {
        this.label = label;
    }

    /**
     * @return the mode's name in reports.
     */
    public String label()
    {
        return label;
    }
}
