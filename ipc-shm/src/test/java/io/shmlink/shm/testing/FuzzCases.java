package io.shmlink.shm.testing;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs seeded fuzz cases one after another on a worker thread while the calling thread watches it: a case that
 * runs longer than the hang bound fails the test with its number, its seed and where the worker is stuck, which
 * a hung poll could never report by itself. Any failure inside a case is reported with its seed too, so a case
 * can be replayed alone.
 */
public final class FuzzCases
{
    /** One case. */
    @FunctionalInterface
    public interface Case
    {
        /**
         * @param index  the case's number.
         * @param seed   its seed: the same seed replays the same case.
         * @param random seeded with {@code seed}.
         * @throws Exception to fail the case.
         */
        void run(int index, long seed, SplittableRandom random) throws Exception;
    }

    private volatile int current = -1;
    private volatile long currentSeed;
    private volatile long startedNs;
    private volatile Throwable failure;

    private FuzzCases()
    {
    }

    /**
     * Runs {@code count} cases with seeds drawn from {@code masterSeed}.
     *
     * @param count      how many.
     * @param masterSeed the seed of the seeds.
     * @param hangBound  the longest one case may take.
     * @param body       the case.
     * @throws Exception the first case's failure, or an {@link AssertionError} for a hang.
     */
    public static void run(final int count, final long masterSeed, final Duration hangBound, final Case body)
        throws Exception
    {
        new FuzzCases().runAll(count, masterSeed, hangBound, body);
    }

    private void runAll(final int count, final long masterSeed, final Duration hangBound, final Case body)
        throws Exception
    {
        final Thread worker = new Thread(() ->
        {
            final SplittableRandom seeds = new SplittableRandom(masterSeed);
            for (int c = 0; c < count; c++)
            {
                final long seed = seeds.nextLong();
                currentSeed = seed;
                startedNs = System.nanoTime();
                current = c;
                try
                {
                    body.run(c, seed, new SplittableRandom(seed));
                }
                catch (final Throwable ex)
                {
                    failure = new AssertionError("case " + c + " (seed " + seed + "): " + ex, ex);
                    return;
                }
            }
        }, "fuzz-cases");
        worker.setDaemon(true); // a hung worker must not keep the test JVM alive
        worker.start();
        final long boundNs = hangBound.toNanos();
        while (worker.isAlive())
        {
            worker.join(100);
            if (worker.isAlive() && current >= 0 && System.nanoTime() - startedNs > boundNs)
            {
                final AssertionError hang = new AssertionError("case " + current + " (seed " + currentSeed +
                    ") still running after " + TimeUnit.NANOSECONDS.toMillis(boundNs) + " ms: a hang");
                hang.setStackTrace(worker.getStackTrace());
                throw hang;
            }
        }
        final Throwable thrown = failure;
        if (thrown instanceof Error error)
        {
            throw error;
        }
        if (thrown != null)
        {
            throw new AssertionError(thrown);
        }
    }
}
