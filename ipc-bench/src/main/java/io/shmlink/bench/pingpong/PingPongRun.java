package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One ping-pong run: sets up every transport in a fresh {@code /dev/shm} directory, starts one echo child for all
 * of them, warms each up, then measures in interleaved rounds.
 * <p>
 * <b>Why interleaved.</b> On a VM the host moves vCPUs, and the round-trip time of the very same code jumps by
 * several times from one minute to the next. Measuring transport A for a while and then B compares two
 * different machines. Here each round runs every transport back to back, a fraction of a second apart, and the
 * report compares transports within a round ({@link PingPongResult#p50Ratios}) before summarising over rounds.
 * Round {@code r} starts at transport {@code r mod n} (A B C, B C A, C A B, ...) so that no transport is always
 * first after the longer gap between rounds.
 * <p>
 * <b>Why one child.</b> See {@link EchoControl}: exactly two threads spin at any time, the pinger and the echo.
 * <p>
 * After each switch of transport, {@value #SETTLE_ROUND_TRIPS} unrecorded round trips let the newly served loops
 * pull their cache lines in and re-enter compiled code, so that each round measures the transport and not the
 * switch; the cost is the same for every transport.
 */
public final class PingPongRun
{
    /** Unrecorded round trips after each switch of transport. */
    public static final int SETTLE_ROUND_TRIPS = 1_000;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private PingPongRun()
    {
    }

    /**
     * Runs the ping-pong.
     *
     * @param options  what to run.
     * @param progress receives a few progress lines.
     * @return the measurements; the run directory is deleted and the child has exited by then.
     * @throws IOException           if setting up a transport fails.
     * @throws InterruptedException  if interrupted.
     * @throws IllegalStateException if an echo is wrong, or the child fails or hangs.
     */
    public static PingPongResult run(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        final List<Transport> transports = Transports.create(options.transports());
        // Deleted in the finally block, or by a shutdown hook on Ctrl-C; the child notices our exit by itself.
        final ShmTempDirectory runDirectory = ShmTempDirectory.create("shmlink-pingpong-");
        try
        {
            return run(options, transports, runDirectory.path(), progress);
        }
        finally
        {
            for (final Transport transport : transports)
            {
                transport.close();
            }
            runDirectory.close();
        }
    }

    private static PingPongResult run(
        final PingPongOptions options, final List<Transport> transports, final Path runDirectory,
        final PrintStream progress) throws IOException, InterruptedException
    {
        final int n = transports.size();
        // Before our own spinning starts: a busy host explains bad tails better than any transport does.
        final double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        final List<String> names = new ArrayList<>();
        final List<String> descriptions = new ArrayList<>();
        final LinkSpec[] links = new LinkSpec[n];
        for (int t = 0; t < n; t++)
        {
            final Transport transport = transports.get(t);
            final Path directory = Files.createDirectory(runDirectory.resolve(transport.name()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            links[t] = new LinkSpec(directory, options.messageLength());
            transport.create(links[t]);
            names.add(transport.name());
            descriptions.add(transport.describe(links[t]));
        }

        try (EchoControl control = EchoControl.create(runDirectory.resolve(EchoMain.CONTROL_FILE));
            EchoChild child = EchoChild.start(runDirectory, options.messageLength(), options.transports()))
        {
            child.awaitReady(READY_TIMEOUT);
            // The watch's first call links a few methods (a couple of hundred bytes of heap). A round trip that
            // spins long enough to call it may first happen in a measured round; make that first call here.
            child.stillWaiting(PeerWatch.SPIN_CHECK_INTERVAL, 0);
            progress.printf("echo child pid %d ready; run directory %s%n", child.pid(), runDirectory);
            final Pinger[] pingers = new Pinger[n];
            final Histogram[][] rounds;
            final long[] pingerAllocated;
            try
            {
                for (int t = 0; t < n; t++)
                {
                    pingers[t] = transports.get(t).openPinger(links[t], child);
                }
                rounds = preallocate(options.rounds(), n);
                pingerAllocated = measure(options, names, pingers, control, child, rounds, progress);
            }
            finally
            {
                // STOP before anything else, also on failure, so the child exits normally rather than as an orphan.
                control.stop();
                for (final Pinger pinger : pingers)
                {
                    if (pinger != null)
                    {
                        pinger.close();
                    }
                }
            }
            final long[] echoAllocated = child.finish(EXIT_TIMEOUT);
            return new PingPongResult(options, names, descriptions, rounds, pingerAllocated, echoAllocated,
                child.pid(), runDirectory, loadAverage);
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
     * @return per transport, bytes allocated by this thread inside the measured loops.
     */
    private static long[] measure(
        final PingPongOptions options,
        final List<String> names,
        final Pinger[] pingers,
        final EchoControl control,
        final PeerWatch watch,
        final Histogram[][] rounds,
        final PrintStream progress)
    {
        final int n = pingers.length;
        final long[] sequences = new long[n];
        java.util.Arrays.fill(sequences, 1);
        final Histogram scratch = RoundTripLoop.newHistogram();

        // Warm-up in two interleaved halves: the shared measuring loop then sees every pinger before the first
        // measured round, so its JIT recompilations (monomorphic, bimorphic, megamorphic) happen in warm-up.
        progress.printf("warm-up: %,d round trips per transport%n", options.warmup());
        for (int half = 0; half < 2; half++)
        {
            final int count = half == 0 ? (options.warmup() + 1) / 2 : options.warmup() / 2;
            for (int t = 0; t < n && count > 0; t++)
            {
                control.activate(t, watch);
                sequences[t] = loop(names.get(t), pingers[t], sequences[t], count, scratch);
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
                control.activate(t, watch);
                sequences[t] = loop(names.get(t), pingers[t], sequences[t], SETTLE_ROUND_TRIPS, scratch);
                scratch.reset();
                final long before = threads.getCurrentThreadAllocatedBytes();
                sequences[t] = loop(names.get(t), pingers[t], sequences[t], options.count(), rounds[r][t]);
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
