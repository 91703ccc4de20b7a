package io.shmlink.bench.pingpong;

/**
 * How a throughput sink consumes each message ({@link Echo#sink}): it reads every byte either way, and the sum it
 * computes ({@link Payload#fold}) goes back to the sender, which checks it.
 */
public enum SinkMode
{
    /**
     * Folds the message where the transport hands it over (the ring, the log): what a zero-copy consumer does.
     */
    IN_PLACE("in-place"),

    /**
     * Copies the message into a buffer of the sink's own, then folds that: what a user who keeps the data gets, and
     * what a socket's {@code read} does by itself (a socket sink folds what it read, without a second copy).
     */
    COPY_OUT("copy-out");

    private final String label;

    SinkMode(final String label)
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
