package io.shmlink.shm.ring;

/**
 * Told by a {@link RingReader} each time it skips a claim that was never committed, after the ring is consistent
 * again and the lost claim counted: the place to say whose claim it was. Called on the polling thread, rarely (a
 * publisher died or stalled for the claim timeout), so it may allocate; it must not throw.
 */
@FunctionalInterface
public interface LostClaimListener
{
    /** Ignores lost claims. */
    LostClaimListener NONE = (position, length, session) -> {};

    /**
     * A claim was skipped.
     *
     * @param position where the skipped record began.
     * @param length   bytes skipped: the record, aligned, or the (MPMC) gap whose header was never written.
     * @param session  the claimer's session from the record header (untrusted: read from shared memory), or 0
     *                 for an MPMC gap.
     */
    void onLostClaim(long position, int length, int session);
}
