package io.shmlink.shm.wait;

/**
 * How long one subscriber's blocking poll spins before it yields and sleeps: its {@link ReaderWait}'s spin at most,
 * halved by each wait that outlasts that spin, doubled back by each message found within it; a busy spin never
 * changes. A spin pays only when a message comes while it lasts (docs/DESIGN.md, "The doorbell"). Used by the
 * polling thread only.
 */
public final class SpinBudget
{
    /** Below this a spin is not worth its first look: the budget goes to none. */
    static final long MIN_NANOS = 1_000;

    /** What a budget of none grows back to at first: this fraction of the policy's spin. */
    private static final int REGROWTH_DIVISOR = 16;

    private final ReaderWait wait;
    private long spinNanos;

    /**
     * A budget starting at the policy's whole spin.
     *
     * @param wait the policy.
     */
    public SpinBudget(final ReaderWait wait)
    {
        this.wait = wait;
        this.spinNanos = wait.spinNanos();
    }

    /**
     * @return the policy this budget adapts.
     */
    public ReaderWait policy()
    {
        return wait;
    }

    /**
     * @return how long the next wait spins.
     */
    public long spinNanos()
    {
        return spinNanos;
    }

    /**
     * The phase of a waiter after waiting this long: spin for the budget, then yield as the policy says, then sleep.
     *
     * @param waitedNanos time since the ring was found empty.
     * @return the phase.
     */
    public WaitPhase phase(final long waitedNanos)
    {
        if (waitedNanos < spinNanos)
        {
            return WaitPhase.SPIN;
        }
        return waitedNanos - spinNanos < wait.yieldNanos() ? WaitPhase.YIELD : WaitPhase.SLEEP;
    }

    /**
     * Learns from a wait that ended: one longer than the policy's spin halves the budget, to none below
     * {@value #MIN_NANOS} ns; a message within the policy's spin doubles it, from none to a sixteenth of the policy's
     * spin, up to that spin; a wait that ended within the policy's spin without a message (a short timeout, a close)
     * says nothing.
     *
     * @param waitedNanos time from finding the ring empty to the end of the wait.
     * @param message     whether the wait ended with a message (else a timeout, a close or an interrupt).
     */
    public void onWaitEnded(final long waitedNanos, final boolean message)
    {
        final long policySpin = wait.spinNanos();
        if (waitedNanos > policySpin)
        {
            spinNanos = spinNanos / 2 < MIN_NANOS ? 0 : spinNanos / 2;
        }
        else if (message)
        {
            // written so that a spin of Long.MAX_VALUE (busy spin) cannot overflow
            spinNanos = spinNanos >= policySpin / 2 ? policySpin :
                Math.max(2 * spinNanos, policySpin / REGROWTH_DIVISOR);
        }
    }
}
