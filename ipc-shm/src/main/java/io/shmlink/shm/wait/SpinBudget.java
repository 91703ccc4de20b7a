package io.shmlink.shm.wait;

/**
 * How long one subscriber's blocking poll spins before it yields and sleeps: its {@link ReaderWait}'s spin at most,
 * halved by every {@value #LONG_WAITS_TO_HALVE} waits in a row that outlast that spin and a wake-up's allowance,
 * doubled back by each message found within them; a busy spin never changes. A spin pays only when a message
 * comes while it lasts (docs/DESIGN.md, "The doorbell"). Used by the polling thread only.
 */
public final class SpinBudget
{
    /** Below this a spin is not worth its first look: the budget goes to none. */
    static final long MIN_NANOS = 1_000;

    /** What a budget of none grows back to at first: this fraction of the policy's spin, and at least MIN_NANOS. */
    private static final int REGROWTH_DIVISOR = 16;

    /**
     * How much longer than the policy's spin a wait may last and still count as one that spin would have caught, at
     * least: a sleeper looks a wake-up after its message came, tens of microseconds on a VM. Half the policy's spin
     * if that is more.
     */
    static final long WAKE_ALLOWANCE_NANOS = 50_000;

    /**
     * How many waits in a row must outlast the spin before it halves: one long wait among short ones (a descheduled
     * peer, a sender parked on a full ring) says nothing of the next.
     */
    public static final int LONG_WAITS_TO_HALVE = 4;

    private final ReaderWait wait;
    private long spinNanos;

    /** Waits in a row that outlasted the spin since the budget last halved or a message came within it. */
    private int longWaits;

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
     * Learns from a wait that ended. One longer than the policy's spin by more than the wake-up allowance (the larger
     * of {@value #WAKE_ALLOWANCE_NANOS} ns and half the policy's spin) is a long wait; every
     * {@value #LONG_WAITS_TO_HALVE} long waits in a row halve the budget, to none below {@value #MIN_NANOS} ns. A
     * message within that ends the row and doubles the budget, from none to a sixteenth of the policy's spin (at
     * least {@value #MIN_NANOS} ns), up to the policy's spin. A wait that ended within it without a message (a short
     * timeout, a close) says nothing.
     *
     * @param waitedNanos time from finding the ring empty to the look that found the message, or to the end of a
     *                    wait without one.
     * @param message     whether the wait ended with a message (else a timeout, a close or an interrupt).
     */
    public void onWaitEnded(final long waitedNanos, final boolean message)
    {
        final long policySpin = wait.spinNanos();
        // as a difference, so that a spin of Long.MAX_VALUE (busy spin) cannot overflow
        if (waitedNanos - policySpin > Math.max(WAKE_ALLOWANCE_NANOS, policySpin / 2))
        {
            if (++longWaits == LONG_WAITS_TO_HALVE)
            {
                longWaits = 0;
                spinNanos = spinNanos / 2 < MIN_NANOS ? 0 : spinNanos / 2;
            }
        }
        else if (message)
        {
            longWaits = 0;
            spinNanos = spinNanos >= policySpin / 2 ? policySpin :
                Math.min(policySpin, Math.max(2 * spinNanos, Math.max(policySpin / REGROWTH_DIVISOR, MIN_NANOS)));
        }
    }
}
