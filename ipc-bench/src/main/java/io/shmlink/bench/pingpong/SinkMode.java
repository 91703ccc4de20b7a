package io.shmlink.bench.pingpong;

import java.util.Locale;

/**
 * How a throughput sink consumes each message ({@link Echo#sink}): it reads every byte either way, and the sum it
 * computes ({@link Payload#fold}) goes back to the sender, which checks it.
 */
public enum SinkMode
{
    /**
     * Folds the message where the transport hands it over (the ring, the log): what a zero-copy consumer does.
     */
    IN_PLACE,

    /**
     * Copies the message into a buffer of the sink's own, then folds that: what a user who keeps the data gets, and
     * what a socket's {@code read} does by itself (a socket sink folds what it read, without a second copy).
     */
    COPY_OUT;

    /**
     * @return the mode's name in reports: its own in lower case, words joined by a hyphen ({@code copy-out}).
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
