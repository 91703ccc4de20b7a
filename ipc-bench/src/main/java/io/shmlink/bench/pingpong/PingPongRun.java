package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One ping-pong run: sets up every transport in a fresh {@code /dev/shm} directory, starts one echo child for all
 * of them, warms each up, then measures in interleaved rounds.
 * <p>
 * <b>Why interleaved.</b> On a VM the host moves vCPUs, and the round-trip time of the very same code jumps by
 * several times from one minute to the next. Measuring transport A for a while and then B compares two
 * different machines. Here each round runs every transport back to back, a fraction of a second apart, and the
 * report compares transports within a round ({@link BenchResult#ratios}) before summarising over rounds.
 * Round {@code r} starts at transport {@code r mod n} (A B C, B C A, C A B, ...) so that no transport is always
 * first after the longer gap between rounds.
 * <p>
 * <b>Why one child.</b> See {@link EchoControl}: at most two threads spin at any time, the pinger and the echo.
 * <p>
 * After each switch of transport, {@value #SETTLE_ROUND_TRIPS} unrecorded round trips let the newly served loops
 * pull their cache lines in and re-enter compiled code, so that each round measures the transport and not the
 * switch; the cost is the same for every transport.
 * <p>
 * <b>Fixed rate</b> ({@code --rate}): each measured round sends on a schedule through
 * {@link RoundTripLoop#runAtRate}, which records every round trip twice, from its intended and from its actual send
 * time. The second half of the warm-up is paced too, so that the paced loop is compiled before the first round, but
 * at most a quarter of a second of it per transport, so that a low rate does not make the warm-up endless. The
 * settling round trips stay back to back: they only bring the transport's lines and code back.
 */
public final class PingPongRun
{
    /** Unrecorded round trips after each switch of transport. */
    public static final int SETTLE_ROUND_TRIPS = 1_000;

    private PingPongRun()
    {
    }

    /**
     * Runs the ping-pong, back to back or at a fixed rate.
     *
     * @param options  what to run; not {@link PingPongOptions#throughput()} (see {@link ThroughputRun}).
     * @param progress receives a few progress lines.
     * @return the measurements; the run directory is deleted and the child has exited by then.
     * @throws IOException           if setting up a transport fails.
     * @throws InterruptedException  if interrupted.
     * @throws IllegalStateException if an echo is wrong, or the child fails or hangs.
     */
    public static BenchResult run(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        if (options.throughput())
        {
            throw new IllegalArgumentException("a throughput run is ThroughputRun's");
        }
        try (EchoSession session = EchoSession.open(options.transports(), options.messageLength(), false, progress))
        {
            final int n = session.names().size();
            final Histogram[][] rounds = preallocate(options.rounds(), n);
            final Histogram[][] uncorrected = options.fixedRate() ? preallocate(options.rounds(), n) : null;
            final long[] pingerAllocated = measure(options, session, rounds, uncorrected, progress);
            final long[] echoAllocated = session.finish();
            return BenchResult.latency(options, session.names(), session.descriptions(), rounds, uncorrected,
                pingerAllocated, echoAllocated, session.describe());
        }
    }

    private static Histogram[][] preallocate(final int roundCount, final int transportCount)
    {
        final Histogram[][] rounds = new Histogram[roundCount][transportCount];
        for (final Histogram[] round : rounds)
        {
            for (int t = 0; t < transportCount; t++)
            {
                round[t] = RoundTripLoop.newHistogram();
            }
        }
        return rounds;
    }

    /**
     * Warm-up, then the interleaved rounds.
     *
     * @param uncorrected null for back to back; else receives the fixed-rate run's uncorrected round trips.
     * @return per transport, bytes allocated by this thread inside the measured loops.
     */
    private static long[] measure(
        final PingPongOptions options,
        final EchoSession session,
        final Histogram[][] rounds,
        final Histogram[][] uncorrected,
        final PrintStream progress)
    {
        final List<String> names = session.names();
        final int n = names.size();
        final long[] sequences = new long[n];
        Arrays.fill(sequences, 1);
        final Histogram scratch = RoundTripLoop.newHistogram();
        final Histogram scratchUncorrected = RoundTripLoop.newHistogram();

        // Warm-up in two interleaved halves: the shared measuring loop then sees every pinger before the first
        // measured round, so its JIT recompilations (monomorphic, bimorphic, megamorphic) happen in warm-up.
        final int paced = options.fixedRate() ?
            Math.min(options.warmup() / 2, Math.max(1, options.rate() / 4)) : 0;
        if (options.fixedRate())
        {
            progress.printf("warm-up: %,d round trips per transport back to back, then %,d at %,d/s%n",
                (options.warmup() + 1) / 2, paced, options.rate());
        }
        else
        {
            progress.printf("warm-up: %,d round trips per transport%n", options.warmup());
        }
        for (int half = 0; half < 2; half++)
        {
            final int count = half == 0 ? (options.warmup() + 1) / 2 : options.warmup() / 2;
            for (int t = 0; t < n && count > 0; t++)
            {
                session.activate(t);
                if (half == 1 && options.fixedRate())
                {
                    sequences[t] = loopAtRate(names.get(t), session.pinger(t), sequences[t], paced, options.rate(),
                        scratch, scratchUncorrected);
                    scratchUncorrected.reset();
                }
                else
                {
                    sequences[t] = loop(names.get(t), session.pinger(t), sequences[t], count, scratch);
                }
                scratch.reset();
            }
        }

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] allocated = new long[n];
        for (int r = 0; r < rounds.length; r++)
        {
            for (int k = 0; k < n; k++)
            {
                final int t = (r + k) % n;
                final Pinger pinger = session.pinger(t);
                session.activate(t);
                sequences[t] = loop(names.get(t), pinger, sequences[t], SETTLE_ROUND_TRIPS, scratch);
                scratch.reset();
                final long before = threads.getCurrentThreadAllocatedBytes();
                sequences[t] = uncorrected == null ?
                    loop(names.get(t), pinger, sequences[t], options.count(), rounds[r][t]) :
                    loopAtRate(names.get(t), pinger, sequences[t], options.count(), options.rate(), rounds[r][t],
                        uncorrected[r][t]);
                allocated[t] += threads.getCurrentThreadAllocatedBytes() - before;
            }
            progress.println(roundLine(r, names, rounds[r]));
        }
        return allocated;
    }

    /**
     * {@link RoundTripLoop#run}, with the transport's name added to a failure (outside the loop: no cost in it).
     */
    private static long loop(
        final String name, final Pinger pinger, final long firstSequence, final int count, final Histogram histogram)
    {
        try
        {
            return RoundTripLoop.run(pinger, firstSequence, count, histogram);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * {@link RoundTripLoop#runAtRate}, with the transport's name added to a failure.
     */
    private static long loopAtRate(
        final String name, final Pinger pinger, final long firstSequence, final int count, final int rate,
        final Histogram corrected, final Histogram uncorrected)
    {
        try
        {
            return RoundTripLoop.runAtRate(pinger, firstSequence, count, rate, corrected, uncorrected);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
        }
    }

    private static String roundLine(final int round, final List<String> names, final Histogram[] histograms)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d p50:", round + 1));
        for (int t = 0; t < histograms.length; t++)
        {
            line.append(String.format(Locale.ROOT, "  %s %,d ns", names.get(t),
                histograms[t].getValueAtPercentile(50)));
        }
        return line.toString();
    }
}
