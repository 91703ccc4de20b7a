package io.shmlink.api;

import java.nio.file.Path;
import java.util.List;

/**
 * What the registry knows about a channel, read from its segment: its shape, who is attached, how far each side
 * has come, and its counters. A snapshot: positions and counters move on while you read them.
 *
 * @param name               the channel's name in the registry.
 * @param mode               SPSC, MPSC, SPMC or MPMC.
 * @param capacity           bytes of ring data.
 * @param maxMessageLength   the longest payload a publisher may send.
 * @param file               the segment file that holds the channel.
 * @param creatorPid         the process that created the channel.
 * @param creationTimeMillis when it was created, in epoch milliseconds.
 * @param publishers         publishers recorded as attached (not closed), alive or dead.
 * @param subscriber         the subscriber recorded as attached, alive or dead; null if none is.
 * @param publisherPosition  bytes claimed by publishers since creation (the tail).
 * @param subscriberPosition bytes consumed by subscribers since creation (the head; fan-out: the slowest
 *                           attached subscriber's, or the tail while none is attached).
 * @param messages           messages consumed by subscribers since creation.
 * @param bytes              payload bytes consumed by subscribers since creation.
 * @param backPressureEvents offers and claims refused because the ring was full: every retry counts.
 * @param lostClaims         claimed records skipped because their publisher died or stalled past the timeout.
 * @param lastLostClaim      the last of those, with the process that claimed it; null if there was none, if the
 *                           subscriber was writing it down at the very moment it was read, or if a subscriber
 *                           died writing it (until the next lost claim). A description read from the file rather
 *                           than a mapping ({@code lookup}, {@code list}) may mix two lost claims that were
 *                           written while it was read.
 * @param backPressureEpisodes runs of refused sends: each publisher's refusals in a row count once, from the
 *                           first after a send that went through ({@code backPressureEvents} counts each).
 * @param maxSubscribers     how many subscribers may be attached at once (1 for SPSC and MPSC).
 * @param slowSubscriberTimeoutMillis fan-out: how long a live subscriber may hold publishers back before it is
 *                           evicted; 0 for never (and for SPSC and MPSC, which never evict).
 * @param subscribers        fan-out: each attached subscriber, alive or dead, with its position and lag, and each
 *                           evicted one until its next poll gives its slot back (for SPSC and MPSC, empty: see
 *                           {@code subscriber}).
 */
public record ChannelInfo(
    String name,
    ChannelMode mode,
    int capacity,
    int maxMessageLength,
    Path file,
    long creatorPid,
    long creationTimeMillis,
    List<PartyInfo> publishers,
    PartyInfo subscriber,
    long publisherPosition,
    long subscriberPosition,
    long messages,
    long bytes,
    long backPressureEvents,
    long lostClaims,
    LostClaimInfo lastLostClaim,
    long backPressureEpisodes,
    int maxSubscribers,
    long slowSubscriberTimeoutMillis,
    List<SubscriberInfo> subscribers)
{
    /**
     * Copies the lists.
     */
    public ChannelInfo
    {
        publishers = List.copyOf(publishers);
        subscribers = List.copyOf(subscribers);
    }

    /**
     * A description of a channel with one subscriber at a time: the components before the fan-out ones were
     * added, kept for code written against them.
     */
    public ChannelInfo(
        final String name,
        final ChannelMode mode,
        final int capacity,
        final int maxMessageLength,
        final Path file,
        final long creatorPid,
        final long creationTimeMillis,
        final List<PartyInfo> publishers,
        final PartyInfo subscriber,
        final long publisherPosition,
        final long subscriberPosition,
        final long messages,
        final long bytes,
        final long backPressureEvents,
        final long lostClaims,
        final LostClaimInfo lastLostClaim,
        final long backPressureEpisodes)
    {
        this(name, mode, capacity, maxMessageLength, file, creatorPid, creationTimeMillis, publishers, subscriber,
            publisherPosition, subscriberPosition, messages, bytes, backPressureEvents, lostClaims, lastLostClaim,
            backPressureEpisodes, 1, 0, List.of());
    }

    /**
     * The configuration this channel was created with.
     *
     * @return mode, capacity, maximum message length and subscribers as a {@link ChannelConfig}.
     */
    public ChannelConfig config()
    {
        return new ChannelConfig(mode, capacity, maxMessageLength, maxSubscribers);
    }

    /**
     * Bytes published but not yet consumed, padding and headers included.
     *
     * @return publisher position minus subscriber position.
     */
    public long backlogBytes()
    {
        return publisherPosition - subscriberPosition;
    }

    /**
     * Whether any recorded party's process still runs.
     *
     * @return true if a publisher or the subscriber is alive.
     */
    public boolean hasLiveParty()
    {
        return (subscriber != null && subscriber.alive()) || publishers.stream().anyMatch(PartyInfo::alive) ||
            subscribers.stream().anyMatch(SubscriberInfo::alive);
    }
}
