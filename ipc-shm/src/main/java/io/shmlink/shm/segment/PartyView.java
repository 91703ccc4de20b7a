package io.shmlink.shm.segment;

import io.shmlink.api.PartyInfo;

/**
 * How a party slot of the segment reads as a {@link PartyInfo}. The segment stores a token and a heartbeat per
 * party but knows nothing of what a token means or how a process is found alive: the liveness package does
 * ({@code ProcessToken::partyInfo}), and the segment package does not depend on it.
 */
@FunctionalInterface
public interface PartyView
{
    /**
     * The party a slot names.
     *
     * @param token     the slot's token, as read from the segment (untrusted).
     * @param heartbeat the slot's heartbeat.
     * @return the party, or null if the slot names none.
     */
    PartyInfo partyInfo(long token, long heartbeat);
}
