package io.shmlink.api;

import java.util.Objects;

/**
 * The shape of a channel, fixed when it is created.
 *
 * @param mode             SPSC or MPSC.
 * @param capacity         bytes of ring data: a power of two, at least {@link #MIN_CAPACITY}.
 * @param maxMessageLength the longest payload a publisher may send: {@code 0 <= maxMessageLength <= capacity / 8}.
 */
public record ChannelConfig(ChannelMode mode, int capacity, int maxMessageLength)
{
    /** The smallest ring: one page. */
    public static final int MIN_CAPACITY = 4096;

    /** The largest ring: 1 GiB, so that positions, indices and file sizes stay far from int overflow. */
    public static final int MAX_CAPACITY = 1 << 30;

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
}
