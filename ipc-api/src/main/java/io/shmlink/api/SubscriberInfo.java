package io.shmlink.api;

/**
 * One subscriber of a fan-out channel, as its slot in the segment reads.
 *
 * @param slot                the subscriber slot it holds, in {@code [0, maxSubscribers)}.
 * @param pid                 its process.
 * @param alive               whether that process lives.
 * @param lastHeartbeatMillis its last heartbeat, in epoch milliseconds (0 if it never beat).
 * @param position            the position up to which it has read and let publishers reuse the space.
 * @param lagBytes            how far behind the publishers' tail that is.
 * @param evictions           how many subscribers of this slot were evicted for holding publishers back.
 */
public record SubscriberInfo(
    int slot, long pid, boolean alive, long lastHeartbeatMillis, long position, long lagBytes, long evictions)
{
}
