package io.shmlink.api;

import java.util.Objects;

/**
 * The shape of a channel, fixed when it is created.
 *
 * @param mode             SPSC, MPSC (queues) or SPMC, MPMC (fan-out).
 * @param capacity         bytes of ring data: a power of two, at least {@link #MIN_CAPACITY}.
 * @param maxMessageLength the longest payload a publisher may send: {@code 0 <= maxMessageLength <= capacity / 8}.
 * @param maxSubscribers   how many subscribers may be attached at once: 1 for SPSC and MPSC, 1 to
 *                         {@link #MAX_SUBSCRIBERS} for the fan-out modes.
 */
public record ChannelConfig(ChannelMode mode, int capacity, int maxMessageLength, int maxSubscribers)
{
    /** The smallest ring: one page. */
    public static final int MIN_CAPACITY = 4096;

    /** The largest ring: 1 GiB, so that positions, indices and file sizes stay far from int overflow. */
    public static final int MAX_CAPACITY = 1 << 30;

    /** The most subscribers a fan-out channel admits at once. */
    public static final int MAX_SUBSCRIBERS = 64;

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the rule and the value that breaks it.
     */
    public ChannelConfig
    {
        Objects.requireNonNull(mode, "mode");
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException(
                "capacity must be a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]: " + capacity);
        }
        if (maxMessageLength < 0 || maxMessageLength > capacity / 8)
        {
            throw new IllegalArgumentException(
                "maxMessageLength must be in [0, capacity / 8 = " + capacity / 8 + "]: " + maxMessageLength);
        }
        if (!mode.isFanOut() && maxSubscribers != 1)
        {
            throw new IllegalArgumentException(
                "maxSubscribers must be 1 for " + mode + " (a queue has one subscriber; SPMC and MPMC fan out): " +
                maxSubscribers);
        }
        if (maxSubscribers < 1 || maxSubscribers > MAX_SUBSCRIBERS)
        {
            throw new IllegalArgumentException(
                "maxSubscribers must be in [1, " + MAX_SUBSCRIBERS + "]: " + maxSubscribers);
        }
    }

    /**
     * A channel with one subscriber at a time.
     *
     * @param mode             the producer mode.
     * @param capacity         bytes of ring data, a power of two {@code >= 4096}.
     * @param maxMessageLength the longest payload, at most {@code capacity / 8}.
     */
    public ChannelConfig(final ChannelMode mode, final int capacity, final int maxMessageLength)
    {
        this(mode, capacity, maxMessageLength, 1);
    }

    /**
     * A single-publisher channel whose largest message is an eighth of the ring.
     *
     * @param capacity bytes of ring data, a power of two {@code >= 4096}.
     * @return the configuration.
     */
    public static ChannelConfig spsc(final int capacity)
    {
        return new ChannelConfig(ChannelMode.SPSC, capacity, capacity / 8);
    }

    /**
     * A many-publisher channel whose largest message is an eighth of the ring.
     *
     * @param capacity bytes of ring data, a power of two {@code >= 4096}.
     * @return the configuration.
     */
    public static ChannelConfig mpsc(final int capacity)
    {
        return new ChannelConfig(ChannelMode.MPSC, capacity, capacity / 8);
    }

    /**
     * A single-publisher fan-out channel whose largest message is an eighth of the ring.
     *
     * @param capacity       bytes of ring data, a power of two {@code >= 4096}.
     * @param maxSubscribers how many subscribers may be attached at once, 1 to {@link #MAX_SUBSCRIBERS}.
     * @return the configuration.
     */
    public static ChannelConfig spmc(final int capacity, final int maxSubscribers)
    {
        return new ChannelConfig(ChannelMode.SPMC, capacity, capacity / 8, maxSubscribers);
    }

    /**
     * A many-publisher fan-out channel whose largest message is an eighth of the ring.
     *
     * @param capacity       bytes of ring data, a power of two {@code >= 4096}.
     * @param maxSubscribers how many subscribers may be attached at once, 1 to {@link #MAX_SUBSCRIBERS}.
     * @return the configuration.
     */
    public static ChannelConfig mpmc(final int capacity, final int maxSubscribers)
    {
        return new ChannelConfig(ChannelMode.MPMC, capacity, capacity / 8, maxSubscribers);
    }
}
