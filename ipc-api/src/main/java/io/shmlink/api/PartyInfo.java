package io.shmlink.api;

/**
 * A publisher or subscriber recorded in a channel.
 *
 * @param pid                 its process.
 * @param alive               whether that very process (same pid and start time) still runs.
 * @param lastHeartbeatMillis epoch milliseconds of its last heartbeat (refreshed every 100 ms by a live party).
 */
public record PartyInfo(long pid, boolean alive, long lastHeartbeatMillis)
{
}
