package io.shmlink.shm.wait;

import org.junit.jupiter.api.Test;

import static io.shmlink.shm.wait.SpinBudget.LONG_WAITS_TO_HALVE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A blocking poll's spin adapts to how its waits end: it halves for every few waits in a row that outlast the
 * policy's spin and a wake-up's allowance, grows back with each message found within them, and never changes for a
 * busy spin.
 */
class SpinBudgetTest
{
    private static final long SPIN = 100_000;
    private static final ReaderWait POLICY = new ReaderWait(SPIN, 0, 10_000_000);
    /** A message a millisecond: far past the spin and the allowance. */
    private static final long PACED = 1_000_000;

    @Test
    void startsAtThePolicysWholeSpin()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        assertEquals(SPIN, budget.spinNanos());
        assertEquals(WaitPhase.SPIN, budget.phase(SPIN - 1));
        assertEquals(WaitPhase.SLEEP, budget.phase(SPIN));
    }

    @Test
    void aPacedStreamHalvesTheSpinUntilThePollSleepsAtOnce()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        longWaits(budget, LONG_WAITS_TO_HALVE - 1, true);
        assertEquals(SPIN, budget.spinNanos(), "not yet a row");
        longWaits(budget, 1, true);
        assertEquals(SPIN / 2, budget.spinNanos());
        longWaits(budget, 6 * LONG_WAITS_TO_HALVE, true);

        assertEquals(0, budget.spinNanos(), "100 us halved 7 times is under 1 us: no spin");
        assertEquals(WaitPhase.SLEEP, budget.phase(0));
    }

    @Test
    void aLongWaitAmongShortOnesLeavesTheSpinWhole()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        for (int i = 0; i < 10; i++)
        {
            longWaits(budget, LONG_WAITS_TO_HALVE - 1, true);
            budget.onWaitEnded(1_000, true);
        }

        assertEquals(SPIN, budget.spinNanos(), "a descheduled peer, a sender parked on a full ring");
    }

    @Test
    void timeoutsLongerThanTheSpinAndTheWakeUpAllowanceHalveItToo()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        for (int i = 0; i < LONG_WAITS_TO_HALVE; i++)
        {
            budget.onWaitEnded(SPIN + SPIN / 2 + 1, false);
        }

        assertEquals(SPIN / 2, budget.spinNanos());
    }

    @Test
    void aMessageFoundAWakeUpAfterTheSpinStillGrowsIt()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        longWaits(budget, LONG_WAITS_TO_HALVE, true);

        budget.onWaitEnded(SPIN + SPIN / 2, true);

        assertEquals(SPIN, budget.spinNanos(), "a reply at 100 us, looked at a 50 us wake-up later: a spin's catch");
    }

    @Test
    void theAllowanceIsHalfALongSpin()
    {
        final SpinBudget budget = new SpinBudget(new ReaderWait(4 * SpinBudget.WAKE_ALLOWANCE_NANOS, 0, 10_000_000));
        final long spin = budget.spinNanos();
        longWaits(budget, LONG_WAITS_TO_HALVE, true);

        budget.onWaitEnded(spin + spin / 2, true);
        assertEquals(spin, budget.spinNanos(), "200 us and 100 us more: still a catch");
        for (int i = 0; i < LONG_WAITS_TO_HALVE; i++)
        {
            budget.onWaitEnded(spin + spin / 2 + 1, true);
        }

        assertEquals(spin / 2, budget.spinNanos(), "past it, a row of long waits");
    }

    @Test
    void aWaitWithinTheWakeUpAllowanceWithoutAMessageSaysNothing()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        longWaits(budget, LONG_WAITS_TO_HALVE - 1, true);

        budget.onWaitEnded(SPIN + SPIN / 2, false);
        longWaits(budget, 1, true);

        assertEquals(SPIN / 2, budget.spinNanos(), "neither a long wait nor the end of the row");
    }

    @Test
    void aMessageFoundWhileSpinningDoublesTheSpinAgain()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        longWaits(budget, 2 * LONG_WAITS_TO_HALVE, true);
        assertEquals(SPIN / 4, budget.spinNanos());

        budget.onWaitEnded(1_000, true);

        assertEquals(SPIN / 2, budget.spinNanos(), "a request answered at once: the long waits were the peer's");
    }

    @Test
    void aTimeoutShorterThanThePolicysSpinSaysNothing()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        longWaits(budget, LONG_WAITS_TO_HALVE, true);

        budget.onWaitEnded(SPIN - 1, false);

        assertEquals(SPIN / 2, budget.spinNanos());
    }

    @Test
    void messagesThatAWholeSpinWouldHaveCaughtGrowItBackFromNone()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        longWaits(budget, 7 * LONG_WAITS_TO_HALVE, true);
        assertEquals(0, budget.spinNanos());

        budget.onWaitEnded(SPIN / 2, true);
        assertEquals(SPIN / 16, budget.spinNanos(), "from none, a sixteenth of the policy's spin");
        budget.onWaitEnded(SPIN / 2, true);
        budget.onWaitEnded(SPIN / 2, true);
        budget.onWaitEnded(SPIN / 2, true);
        assertEquals(SPIN / 2, budget.spinNanos(), "doubled each time: 6.25, 12.5, 25, 50 us");
        budget.onWaitEnded(SPIN, true);

        assertEquals(SPIN, budget.spinNanos(), "never past the policy's spin");
        budget.onWaitEnded(SPIN, true);
        assertEquals(SPIN, budget.spinNanos());
    }

    @Test
    void aShortSpinAllowsAWholeWakeUpAndGrowsBackToAtLeastTheSmallestSpin()
    {
        final SpinBudget budget = new SpinBudget(new ReaderWait(10_000, 0, 10_000_000));
        longWaits(budget, 4 * LONG_WAITS_TO_HALVE, true);
        assertEquals(0, budget.spinNanos(), "10, 5, 2.5, 1.25 us, then under 1 us");

        budget.onWaitEnded(10_000 + SpinBudget.WAKE_ALLOWANCE_NANOS, true);

        assertEquals(SpinBudget.MIN_NANOS, budget.spinNanos(), "a sixteenth of 10 us is under the smallest spin");
    }

    @Test
    void aBusySpinNeverAdapts()
    {
        final SpinBudget budget = new SpinBudget(ReaderWait.busySpin());

        budget.onWaitEnded(Long.MAX_VALUE - 1, true);
        budget.onWaitEnded(Long.MAX_VALUE, false);

        assertEquals(Long.MAX_VALUE, budget.spinNanos());
        assertEquals(WaitPhase.SPIN, budget.phase(Long.MAX_VALUE - 1));
    }

    @Test
    void theYieldPhaseFollowsTheBudgetedSpin()
    {
        final SpinBudget budget = new SpinBudget(new ReaderWait(SPIN, 50, 10_000_000));
        longWaits(budget, LONG_WAITS_TO_HALVE, true);

        assertEquals(WaitPhase.YIELD, budget.phase(SPIN / 2));
        assertEquals(WaitPhase.YIELD, budget.phase(SPIN / 2 + 49));
        assertEquals(WaitPhase.SLEEP, budget.phase(SPIN / 2 + 50));
    }

    private static void longWaits(final SpinBudget budget, final int count, final boolean message)
    {
        for (int i = 0; i < count; i++)
        {
            budget.onWaitEnded(PACED, message);
        }
    }
}
