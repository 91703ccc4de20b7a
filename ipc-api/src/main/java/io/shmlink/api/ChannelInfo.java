package io.shmlink.api;

import java.nio.file.Path;

/**
 * What the registry knows about a channel, read from its segment header.
 *
 * @param name               the channel's name in the registry.
 * @param mode               SPSC or MPSC.
 * @param capacity           bytes of ring data.
 * @param maxMessageLength   the longest payload a publisher may send.
 * @param file               the segment file that holds the channel.
 * @param creatorPid         the process that created the channel.
 * @param creationTimeMillis when it was created, in epoch milliseconds.
 */
public record ChannelInfo(
    String name,
    ChannelMode mode,
    int capacity,
    int maxMessageLength,
    Path file,
    long creatorPid,
    long creationTimeMillis)
{
    /**
     * The configuration this channel was created with.
     *
     * @return mode, capacity and maximum message length as a {@link ChannelConfig}.
     */
    public ChannelConfig config()
    {
        return new ChannelConfig(mode, capacity, maxMessageLength);
    }
}
