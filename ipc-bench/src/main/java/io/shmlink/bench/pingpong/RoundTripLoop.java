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

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

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

    /**
     * Runs round trips on a fixed schedule: ping {@code i} is due at {@code start + i / rate}. The loop spins until
     * a ping is due, or sends at once if it is already late (the previous round trip overran its slot), and records
     * each round trip twice.
     * <p>
     * <b>Coordinated omission.</b> A back-to-back loop, or a paced loop that times from the actual send, never
     * measures the pings that a stall kept it from sending: a 1 ms stall at 100,000 pings/s is one slow sample
     * instead of the 100 that a client sending on its own clock would have seen late. Timing from the intended
     * send time puts that queueing back ({@code corrected}); {@code uncorrected} times from the actual send, as the
     * naive loop would. Each corrected sample is at least its uncorrected one, so every percentile is too.
     * <p>
     * The schedule is exact to the nanosecond over any count (no rounded interval accumulates), and sends never
     * run ahead of it. Allocates nothing.
     *
     * @param pinger        the transport's measuring side.
     * @param firstSequence the sequence of the first ping; later ones follow on.
     * @param count         how many round trips.
     * @param rate          pings per second, at least 1.
     * @param corrected     receives each ping's nanoseconds from its intended send time to its echo.
     * @param uncorrected   receives each ping's nanoseconds from its actual send time to its echo.
     * @return the sequence after the last one sent.
     * @throws IllegalStateException if an echo carries another sequence than its ping.
     */
    public static long runAtRate(
        final Pinger pinger, final long firstSequence, final int count, final int rate, final Histogram corrected,
        final Histogram uncorrected)
    {
        long sequence = firstSequence;
        final long start = System.nanoTime();
        for (int i = 0; i < count; i++)
        {
            final long intended = start + (long)i * NANOS_PER_SECOND / rate;
            long sent;
            while ((sent = System.nanoTime()) - intended < 0)
            {
                Thread.onSpinWait();
            }
            final long echoed = pinger.roundTrip(sequence);
            final long received = System.nanoTime();
            if (echoed != sequence)
            {
                throw new IllegalStateException("echo carried sequence " + echoed + ", expected " + sequence);
            }
            corrected.recordValue(Math.min(received - intended, HIGHEST_TRACKABLE_NS));
            uncorrected.recordValue(Math.min(received - sent, HIGHEST_TRACKABLE_NS));
            sequence++;
        }
        return sequence;
    }
}
