package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A latency run in the other shape ({@code --fresh-jvms}): each transport in each round is measured by a new pinger
 * JVM ({@link FreshPingerMain}) against a new echo JVM that the pinger starts, and both end after that one
 * measurement. No JIT profile, thread, heap or loaded class of one transport's run can then touch another's, which
 * the default shape ({@link BenchRun}: every pinger in one JVM, one echo child for all) cannot promise: there the
 * shared measuring loop sees every pinger, and the transports share one heap and one set of compiled code.
 * <p>
 * Every pinger warms up as {@link BenchRun} does, {@link PingPongOptions#warmup()} round trips, then settles and
 * measures {@link PingPongOptions#count()} round trips; the rounds keep their interleaved order (A B C, B C A, ...),
 * one measurement at a time, so at most two threads spin at once as in the default shape. The result has the same
 * form as the default shape's, so that the report is the same: per round and transport the histogram of the
 * measured round trips, and the allocation counts summed over rounds.
 * <p>
 * The cost is two JVM start-ups and a whole warm-up per measurement; docs/BENCHMARKING.md says how long that takes.
 */
final class FreshJvmRun
{
    /**
     * The most a pinger may take for its measurement; only a safety net: a pinger whose echo child dies or stops
     * answering fails by itself within seconds ({@link ChildJvm#stillWaiting}), and its exit ends the wait at once.
     */
    private static final Duration MEASUREMENT_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Who measured one (round, transport): for checks that each measurement had JVMs of its own.
     *
     * @param round     index of the round.
     * @param transport index of the transport.
     * @param pingerPid the pinger JVM's pid.
     * @param echoPid   its echo JVM's pid.
     */
    record Measurement(int round, int transport, long pingerPid, long echoPid)
    {
    }

    private FreshJvmRun()
    {
    }

    /**
     * Runs a latency run in fresh JVMs.
     *
     * @param options  what to run; not a throughput run.
     * @param progress receives a line per round.
     * @return the measurements, in the form {@link BenchRun#run} gives.
     * @throws IOException          if a pinger JVM cannot be started or its report not read.
     * @throws InterruptedException if interrupted.
     * @throws IllegalStateException if a pinger fails, hangs or exits without a report.
     */
    static BenchResult run(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        return run(options, progress, measurement ->
        {
        });
    }

    /**
     * {@link #run(PingPongOptions, PrintStream)}, telling an observer who made each measurement.
     *
     * @param options  what to run; not a throughput run.
     * @param progress receives a line per round.
     * @param observer receives each measurement's pids as it completes.
     * @return the measurements.
     * @throws IOException          if a pinger JVM cannot be started or its report not read.
     * @throws InterruptedException if interrupted.
     */
    static BenchResult run(final PingPongOptions options, final PrintStream progress,
        final Consumer<Measurement> observer) throws IOException, InterruptedException
    {
        if (options.throughput())
        {
            throw new IllegalArgumentException("--fresh-jvms is for latency runs only");
        }
        final double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        final List<String> specs = options.transports();
        final int n = specs.size();
        final List<String> names = new ArrayList<>();
        for (final String spec : specs)
        {
            try (Transport transport = Transports.create(spec))
            {
                names.add(transport.name());
            }
        }
        final String[] descriptions = new String[n];
        final Histogram[][] rounds = new Histogram[options.rounds()][n];
        final Histogram[][] uncorrected = options.fixedRate() ? new Histogram[options.rounds()][n] : null;
        final long[] pingerAllocated = new long[n];
        final long[] echoAllocated = new long[n];
        long lastEchoPid = -1;

        progress.printf("fresh JVMs: a new pinger JVM and echo JVM per transport per round, %,d warm-up round " +
            "trips in each%n", options.warmup());
        try (ShmTempDirectory reports = ShmTempDirectory.create("shmlink-fresh-"))
        {
            for (int r = 0; r < rounds.length; r++)
            {
                final long roundStart = System.nanoTime();
                for (int k = 0; k < n; k++)
                {
                    final int t = (r + k) % n;
                    final PingerReport report =
                        measure(options, specs.get(t), reports.path().resolve(r + "-" + t + ".report"));
                    rounds[r][t] = report.roundTrips();
                    if (uncorrected != null)
                    {
                        uncorrected[r][t] = report.uncorrected();
                    }
                    if (descriptions[t] == null)
                    {
                        descriptions[t] = report.description();
                    }
                    pingerAllocated[t] += report.pingerAllocated();
                    echoAllocated[t] = echoAllocated[t] < 0 || report.echoAllocated() < 0 ?
                        -1 : echoAllocated[t] + report.echoAllocated();
                    lastEchoPid = report.echoPid();
                    observer.accept(new Measurement(r, t, report.pingerPid(), report.echoPid()));
                }
                final Histogram[] round = rounds[r];
                progress.println(BenchRun.roundLine(r, "p50", names, t ->
                    String.format(Locale.ROOT, "%,d ns", round[t].getValueAtPercentile(50))) +
                    String.format(Locale.ROOT, "  (%.1f s)", (System.nanoTime() - roundStart) / 1e9));
            }
            final BenchResult.Session session = new BenchResult.Session(lastEchoPid, reports.path(), loadAverage);
            return new BenchResult(options, names, Arrays.asList(descriptions), null, rounds, uncorrected, null, null,
                null, null, pingerAllocated, echoAllocated, session);
        }
    }

    /**
     * One measurement: a pinger JVM started, its report awaited and read, the JVM gone when this returns.
     */
    private static PingerReport measure(final PingPongOptions options, final String spec, final Path file)
        throws IOException, InterruptedException
    {
        try (ChildJvm pinger = FreshPingerMain.start(file, spec, options))
        {
            try
            {
                pinger.awaitReady(MEASUREMENT_TIMEOUT);
                pinger.finish(EXIT_TIMEOUT);
            }
            catch (final IllegalStateException ex)
            {
                throw new IllegalStateException(spec + ": " + ex.getMessage(), ex);
            }
            final PingerReport report = PingerReport.read(file);
            Files.delete(file);
            return report;
        }
    }
}
