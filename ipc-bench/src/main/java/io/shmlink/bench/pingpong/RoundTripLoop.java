package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * The measured loop: time each round trip with {@link System#nanoTime()}, check the echoed sequence, record the
 * nanoseconds. It allocates nothing (the histogram is preallocated and never resizes), so no GC can land in it.
 * <p>
 * One loop serves every transport through the {@link Pinger} interface. Once warm-up has shown it several pingers,
 * the JIT compiles that call as a megamorphic interface call: a few nanoseconds, the same for every transport,
 * floor included, so it shifts all numbers alike and the ratios slightly towards 1.
 */
public final class RoundTripLoop
{
    /** Histograms track up to this; the {@link PeerWatch} fails a wait long before. */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);

    private RoundTripLoop()
    {
    }

    /**
     * A histogram of round-trip times: 1 ns to a minute, 3 significant digits.
     *
     * @return an empty histogram.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NS, 3);
    }

    /**
     * Runs round trips, recording each one's time.
     *
     * @param pinger        the transport's measuring side.
     * @param firstSequence the sequence of the first ping; later ones follow on.
     * @param count         how many round trips.
     * @param histogram     receives each round trip's nanoseconds.
     * @return the sequence after the last one sent.
     * @throws IllegalStateException if an echo carries another sequence than its ping.
     */
    public static long run(final Pinger pinger, final long firstSequence, final int count, final Histogram histogram)
    {
        long sequence = firstSequence;
        for (int i = 0; i < count; i++)
        {
            final long start = System.nanoTime();
            final long echoed = pinger.roundTrip(sequence);
            final long rtt = System.nanoTime() - start;
            if (echoed != sequence)
            {
                throw new IllegalStateException("echo carried sequence " + echoed + ", expected " + sequence);
            }
            histogram.recordValue(Math.min(rtt, HIGHEST_TRACKABLE_NS));
            sequence++;
        }
        return sequence;
    }
}
