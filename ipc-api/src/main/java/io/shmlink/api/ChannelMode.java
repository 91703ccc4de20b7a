package io.shmlink.api;

/**
 * How many publishers a channel admits, and whether it is a queue (one subscriber) or fan-out (every subscriber
 * receives every message).
 */
public enum ChannelMode
{
    /** One publisher, one subscriber: the cheapest ring, no atomic read-modify-write on the hot path. */
    SPSC,

    /** Many publishers (threads and processes), one subscriber: publishers claim space with one CAS. */
    MPSC,

    /**
     * One publisher, up to {@link ChannelConfig#maxSubscribers()} subscribers, each of which receives every message
     * committed after it attached. One copy per message, whatever the number of subscribers.
     */
    SPMC,

    /** Many publishers, up to {@link ChannelConfig#maxSubscribers()} subscribers, each receiving every message. */
    MPMC;

    /**
     * Whether every subscriber receives every message (SPMC, MPMC) rather than one subscriber draining a queue.
     *
     * @return true for the fan-out modes.
     */
    public boolean isFanOut()
    {
        return this == SPMC || this == MPMC;
    }

    /**
     * Whether more than one publisher may be attached at once (MPSC, MPMC).
     *
     * @return true for the many-publisher modes.
     */
    public boolean isMultiPublisher()
    {
        return this == MPSC || this == MPMC;
    }
}
