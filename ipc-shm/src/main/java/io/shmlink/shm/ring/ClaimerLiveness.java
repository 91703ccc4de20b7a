package io.shmlink.shm.ring;

import java.util.function.IntPredicate;

/**
 * What a subscriber knows of the publishers whose claims stall, given the session a claim's header names
 * (untrusted: read from shared memory). Asked only on the stall-check path, never per message.
 */
public interface ClaimerLiveness
{
    /** Knows nothing: claims are skipped after the timeout and held until their claimer lets go. */
    ClaimerLiveness UNKNOWN = new ClaimerLiveness()
    {
        public boolean isSessionOver(final int session)
        {
            return false;
        }

        public boolean isProcessDead(final int session)
        {
            return false;
        }
    };

    /**
     * Liveness from two predicates, for tests and tools.
     *
     * @param sessionOver answers {@link #isSessionOver}.
     * @param processDead answers {@link #isProcessDead}.
     * @return the liveness.
     */
    static ClaimerLiveness of(final IntPredicate sessionOver, final IntPredicate processDead)
    {
        return new ClaimerLiveness()
        {
            public boolean isSessionOver(final int session)
            {
                return sessionOver.test(session);
            }

            public boolean isProcessDead(final int session)
            {
                return processDead.test(session);
            }
        };
    }

    /**
     * Whether the publisher attach that a session names has ended (closed, or its process died), so its stalled
     * claim may be skipped without waiting out the claim timeout. A thread of a closed publisher may still be
     * writing: this does not allow releasing the space.
     *
     * @param session from a claimed record's header.
     * @return true if the attach is over; false if it may go on, or if unknown.
     */
    boolean isSessionOver(int session);

    /**
     * Whether the process of the publisher that a session names is known dead, so nothing of it can write the
     * ring again and its skipped claim may be released.
     *
     * @param session from a skipped record's header.
     * @return true only when the process is known dead; false if it lives or is unknown.
     */
    boolean isProcessDead(int session);
}
