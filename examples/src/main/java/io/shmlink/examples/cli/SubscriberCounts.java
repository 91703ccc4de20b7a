package io.shmlink.examples.cli;

import io.shmlink.api.SubscriberInfo;

import java.util.List;

/**
 * How {@code list} and {@code stat} count a fan-out channel's subscribers: the attached ones, those of them whose
 * process is dead, and the evicted ones, which are listed until their next poll and are not counted as attached.
 *
 * @param attached subscribers attached, alive or dead.
 * @param dead     attached subscribers whose process is dead.
 * @param evicted  evicted subscribers still listed.
 */
record SubscriberCounts(long attached, long dead, long evicted)
{
    /**
     * @param subscribers a channel's {@link io.shmlink.api.ChannelInfo#subscribers()}.
     * @return their counts.
     */
    static SubscriberCounts of(final List<SubscriberInfo> subscribers)
    {
        final long evicted = subscribers.stream().filter(SubscriberInfo::evicted).count();
        final long dead =
            subscribers.stream().filter(subscriber -> !subscriber.alive() && !subscriber.evicted()).count();
        return new SubscriberCounts(subscribers.size() - evicted, dead, evicted);
    }
}
