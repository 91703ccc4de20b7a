package io.shmlink.shm.wait;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A blocking poll's spin adapts to how its waits end: it shrinks while they outlast the policy's spin, grows back
 * with each message found within the policy's spin, and never changes for a busy spin.
 */
class SpinBudgetTest
{
    private static final long SPIN = 100_000;
    private static final ReaderWait POLICY = new ReaderWait(SPIN, 0, 10_000_000);

    @Test
    void startsAtThePolicysWholeSpin()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        assertEquals(SPIN, budget.spinNanos());
        assertEquals(WaitPhase.SPIN, budget.phase(SPIN - 1));
        assertEquals(WaitPhase.SLEEP, budget.phase(SPIN));
    }

    @Test
    void waitsLongerThanTheSpinHalveItUntilThePollSleepsAtOnce()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        budget.onWaitEnded(1_000_000, true);
        assertEquals(SPIN / 2, budget.spinNanos());
        for (int i = 0; i < 6; i++)
        {
            budget.onWaitEnded(1_000_000, true);
        }

        assertEquals(0, budget.spinNanos(), "100 us halved 7 times is under 1 us: no spin");
        assertEquals(WaitPhase.SLEEP, budget.phase(0));
    }

    @Test
    void aTimeoutLongerThanTheSpinAndTheWakeUpAllowanceHalvesItToo()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        budget.onWaitEnded(SPIN + SPIN / 2 + 1, false);

        assertEquals(SPIN / 2, budget.spinNanos());
    }

    @Test
    void aMessageFoundAWakeUpAfterTheSpinStillGrowsIt()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        budget.onWaitEnded(1_000_000, true);

        budget.onWaitEnded(SPIN + SPIN / 2, true);

        assertEquals(SPIN, budget.spinNanos(), "a reply at 80 us, looked at a 28 us wake-up later: a spin's catch");
    }

    @Test
    void aWaitWithinTheWakeUpAllowanceWithoutAMessageSaysNothing()
    {
        final SpinBudget budget = new SpinBudget(POLICY);

        budget.onWaitEnded(SPIN + SPIN / 2, false);

        assertEquals(SPIN, budget.spinNanos());
    }

    @Test
    void aShortSpinAllowsAWholeWakeUpAndGrowsBackToAtLeastTheSmallestSpin()
    {
        final SpinBudget budget = new SpinBudget(new ReaderWait(10_000, 0, 10_000_000));
        for (int i = 0; i < 4; i++)
        {
            budget.onWaitEnded(1_000_000, true);
        }
        assertEquals(0, budget.spinNanos());

        budget.onWaitEnded(10_000 + SpinBudget.WAKE_ALLOWANCE_NANOS, true);

        assertEquals(SpinBudget.MIN_NANOS, budget.spinNanos(), "a sixteenth of 10 us is under the smallest spin");
    }

    @Test
    void aMessageFoundWhileSpinningDoublesTheSpinAgain()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        budget.onWaitEnded(1_000_000, true);
        budget.onWaitEnded(1_000_000, true);

        budget.onWaitEnded(1_000, true);

        assertEquals(SPIN / 2, budget.spinNanos(), "a request answered at once: the long waits were the peer's");
    }

    @Test
    void aTimeoutShorterThanThePolicysSpinSaysNothing()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        budget.onWaitEnded(1_000_000, true);

        budget.onWaitEnded(SPIN - 1, false);

        assertEquals(SPIN / 2, budget.spinNanos());
    }

    @Test
    void messagesThatAWholeSpinWouldHaveCaughtGrowItBackFromNone()
    {
        final SpinBudget budget = new SpinBudget(POLICY);
        for (int i = 0; i < 7; i++)
        {
            budget.onWaitEnded(1_000_000, true);
        }
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
        budget.onWaitEnded(1_000_000, true);

        assertEquals(WaitPhase.YIELD, budget.phase(SPIN / 2));
        assertEquals(WaitPhase.YIELD, budget.phase(SPIN / 2 + 49));
        assertEquals(WaitPhase.SLEEP, budget.phase(SPIN / 2 + 50));
    }
}
