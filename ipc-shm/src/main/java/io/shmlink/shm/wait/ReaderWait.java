package io.shmlink.shm.wait;

import java.time.Duration;

/**
 * How a subscriber waits in a blocking poll once the ring is empty: it spins for up to {@link #spinNanos()}, then
 * yields the CPU for {@link #yieldNanos()}, then sleeps on its doorbell until a publisher rings it or the timeout
 * passes. Each subscriber spins less while its waits outlast the spin, and the whole spin again once messages come
 * within it ({@link SpinBudget}): on a stream paced slower than the spin, spinning only burns a core before the
 * wake-up.
 * <p>
 * Spinning answers in tens of nanoseconds and costs a whole core; a doorbell costs nothing while idle and answers
 * in tens of microseconds (a kernel wake-up). The default spins briefly, enough to catch the next message of a
 * busy stream or a prompt reply without a syscall, and then sleeps, with no yield phase: on a loaded machine
 * {@code Thread.yield()} hands the core to another runnable thread for a whole time slice, and a message arriving
 * meanwhile waits for it (measured with {@code io.shmlink.bench.wakeup.WakeupLatency} under load: a 50 us yield
 * phase took the wake-up p50 from 20 us to 52 us and p90 from 41 us to 2.9 ms). Choose one with {@link #of} where
 * cores are idle. {@link #busySpin()} never sleeps: right for latency benchmarks and dedicated cores, wrong for
 * an idle connection.
 * <p>
 * A sleeping subscriber also wakes every {@link #maxSleepNanos()} on its own. The publisher does not fence
 * between its commit and its look at the wait state (that fence would cost every offer), so in a rare race it
 * can miss a subscriber that is just falling asleep; that bound caps what such a race costs.
 *
 * @param spinNanos     the most nanoseconds to spin once the ring is empty; {@link Long#MAX_VALUE} spins for ever.
 * @param yieldNanos    nanoseconds to yield after spinning, before sleeping.
 * @param maxSleepNanos the longest single sleep on the doorbell, at least 1 ms.
 */
public record ReaderWait(long spinNanos, long yieldNanos, long maxSleepNanos)
{
    private static final long DEFAULT_SPIN_NANOS = 100_000;
    private static final long DEFAULT_YIELD_NANOS = 0;
    private static final long DEFAULT_MAX_SLEEP_NANOS = 10_000_000;
    private static final long MIN_MAX_SLEEP_NANOS = 1_000_000;

    private static final ReaderWait DEFAULT = new ReaderWait(DEFAULT_SPIN_NANOS, DEFAULT_YIELD_NANOS,
        DEFAULT_MAX_SLEEP_NANOS);
    private static final ReaderWait BUSY_SPIN = new ReaderWait(Long.MAX_VALUE, 0, DEFAULT_MAX_SLEEP_NANOS);

    /**
     * Checks the phases.
     *
     * @throws IllegalArgumentException if a phase is negative or the longest sleep under 1 ms.
     */
    public ReaderWait
    {
        if (spinNanos < 0 || yieldNanos < 0)
        {
            throw new IllegalArgumentException("spin and yield must be >= 0: " + spinNanos + " ns, " + yieldNanos +
                " ns");
        }
        if (maxSleepNanos < MIN_MAX_SLEEP_NANOS)
        {
            throw new IllegalArgumentException("maxSleep must be >= 1 ms: " + maxSleepNanos + " ns");
        }
    }

    /**
     * The default: spin up to 100 us, then sleep on the doorbell. A kernel wake-up costs 10 to 40 us on a VM; a peer
     * that answers within the spin (a request/response exchange) is caught without one, so two such peers stay
     * in the spin phase instead of settling into two wake-ups per round trip.
     *
     * @return the default policy.
     */
    public static ReaderWait blocking()
    {
        return DEFAULT;
    }

    /**
     * Spin until a message comes or the timeout passes; never yield or sleep.
     *
     * @return the spinning policy.
     */
    public static ReaderWait busySpin()
    {
        return BUSY_SPIN;
    }

    /**
     * A policy with the given phases.
     *
     * @param spin  how long to spin once the ring is empty.
     * @param yield how long to yield after spinning, before sleeping.
     * @return the policy.
     * @throws IllegalArgumentException if either is negative.
     */
    public static ReaderWait of(final Duration spin, final Duration yield)
    {
        return new ReaderWait(saturatedNanos(spin), saturatedNanos(yield), DEFAULT_MAX_SLEEP_NANOS);
    }

    /**
     * This policy with another bound on a single sleep: lower wakes an idle subscriber more often (CPU), higher
     * lets a missed ring (see the class comment) cost more latency.
     *
     * @param maxSleep the longest single sleep on the doorbell, at least 1 ms.
     * @return the new policy.
     * @throws IllegalArgumentException if it is under 1 ms.
     */
    public ReaderWait withMaxSleep(final Duration maxSleep)
    {
        return new ReaderWait(spinNanos, yieldNanos, saturatedNanos(maxSleep));
    }

    private static long saturatedNanos(final Duration duration)
    {
        try
        {
            return duration.toNanos();
        }
        catch (final ArithmeticException tooLong)
        {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    @Override
    public String toString()
    {
        return spinNanos == Long.MAX_VALUE ? "ReaderWait[busy spin]" :
            "ReaderWait[spin " + spinNanos + " ns, yield " + yieldNanos + " ns, then sleep]";
    }
}
