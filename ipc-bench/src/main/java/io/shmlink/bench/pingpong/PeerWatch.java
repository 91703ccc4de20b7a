package io.shmlink.bench.pingpong;

/**
 * What a spinning pinger consults, now and then, so that a dead or stuck echo side fails the run instead of hanging
 * it. Consulting it on every spin would add a call to the hot loop; every {@link #SPIN_CHECK_INTERVAL} spins costs
 * nothing measurable and still notices a dead peer within milliseconds.
 */
public interface PeerWatch
{
    /** Spins between two calls of {@link #stillWaiting}; a power of two, so {@code (spins & (N - 1)) == 0} tests it. */
    int SPIN_CHECK_INTERVAL = 1 << 16;

    /** {@code spins & SPIN_CHECK_MASK} is zero exactly when a waiter should call {@link #stillWaiting}. */
    int SPIN_CHECK_MASK = SPIN_CHECK_INTERVAL - 1;

    /**
     * Called by a waiter after every {@link #SPIN_CHECK_INTERVAL} fruitless spins. The first call of a wait has
     * {@code spins == SPIN_CHECK_INTERVAL}, which is how the watch knows a new wait began.
     *
     * @param spins   spins so far in this wait.
     * @param waitFor what is awaited, for the failure message: the echo of this sequence number if {@code >= 0},
     *                else the echo side's switch to transport index {@code -1 - waitFor}.
     * @throws IllegalStateException if the peer process has exited or the wait has lasted too long.
     */
    void stillWaiting(long spins, long waitFor);

    /**
     * One fruitless spin of a wait: counts it, consults the watch every {@link #SPIN_CHECK_INTERVAL} spins, and hints
     * the CPU. Every waiting loop of the harness spins through here; a static method this small is inlined into each
     * loop, which compiles as if the lines were written out in it.
     *
     * @param watch   the watch to consult.
     * @param spins   spins so far in this wait.
     * @param waitFor what is awaited, as {@link #stillWaiting} takes it.
     * @return {@code spins + 1}: the count to pass next time.
     */
    static long spin(final PeerWatch watch, final long spins, final long waitFor)
    {
        final long next = spins + 1;
        if ((next & SPIN_CHECK_MASK) == 0)
        {
            watch.stillWaiting(next, waitFor);
        }
        Thread.onSpinWait();
        return next;
    }

    /**
     * A watch that never fails: for loops whose peer is in the same process.
     */
    PeerWatch NONE = (spins, waitFor) ->
    {
    };
}
