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
 * @param evicted             whether this one is evicted: publishers no longer wait for it, and its next poll
 *                            throws {@link SubscriberEvictedException} and gives the slot back.
 */
public record SubscriberInfo(
    int slot,
    long pid,
    boolean alive,
    long lastHeartbeatMillis,
    long position,
    long lagBytes,
    long evictions,
    boolean evicted)
{
    /**
     * An attached subscriber, not evicted.
     *
     * @param slot                the subscriber slot it holds.
     * @param pid                 its process.
     * @param alive               whether that process lives.
     * @param lastHeartbeatMillis its last heartbeat, in epoch milliseconds (0 if it never beat).
     * @param position            the position up to which it has read.
     * @param lagBytes            how far behind the publishers' tail that is.
     * @param evictions           how many subscribers of this slot were evicted.
     */
    public SubscriberInfo(
        final int slot,
        final long pid,
        final boolean alive,
        final long lastHeartbeatMillis,
        final long position,
        final long lagBytes,
        final long evictions)
    {
        this(slot, pid, alive, lastHeartbeatMillis, position, lagBytes, evictions, false);
    }
}
