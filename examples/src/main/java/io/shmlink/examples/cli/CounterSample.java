package io.shmlink.examples.cli;

import io.shmlink.api.ChannelInfo;

import java.util.Optional;

/**
 * The consumed-message counters of one channel at one instant, for {@code stat --watch} rates.
 *
 * @param creationTimeMillis identifies the channel's incarnation: a deleted and re-created channel restarts its
 *                           counters, and a rate across the two would be nonsense.
 * @param messages           messages consumed since creation.
 * @param bytes              payload bytes consumed since creation.
 * @param nanoTime           {@link System#nanoTime()} when the counters were read.
 */
public record CounterSample(long creationTimeMillis, long messages, long bytes, long nanoTime)
{
    /**
     * Samples a channel's description.
     *
     * @param info     the channel, as just read.
     * @param nanoTime when it was read.
     * @return its counters.
     */
    public static CounterSample of(final ChannelInfo info, final long nanoTime)
    {
        return new CounterSample(info.creationTimeMillis(), info.messages(), info.bytes(), nanoTime);
    }

    /**
     * The consumption rate from an earlier sample to this one.
     *
     * @param earlier a sample of the same channel taken before this one.
     * @return the rate, or empty if the two are not comparable (another incarnation of the channel, counters that
     *         went backwards, or no time elapsed).
     */
    public Optional<Rate> rateSince(final CounterSample earlier)
    {
        final long elapsedNanos = nanoTime - earlier.nanoTime;
        if (elapsedNanos <= 0 || creationTimeMillis != earlier.creationTimeMillis ||
            messages < earlier.messages || bytes < earlier.bytes)
        {
            return Optional.empty();
        }
        final double seconds = elapsedNanos / 1e9;
        return Optional.of(new Rate((messages - earlier.messages) / seconds, (bytes - earlier.bytes) / seconds / 1e6));
    }

    /**
     * A consumption rate.
     *
     * @param messagesPerSecond messages consumed per second.
     * @param megabytesPerSecond payload megabytes (10^6 bytes, as network and disk rates are quoted) per second.
     */
    public record Rate(double messagesPerSecond, double megabytesPerSecond)
    {
    }
}
