package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;
import io.shmlink.shm.testing.TempRegistry;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ping-pong harness end to end, through real child JVMs: short runs, so the whole class takes seconds.
 */
class BenchRunTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int ROUNDS = 2;
    private static final int COUNT = 2_000;
    private static final int RATE_COUNT = 1_000;
    private static final int BURST = 50_000;

    /** A run directory for the test that plays the harness itself; not named as the harness names its own. */
    @RegisterExtension
    final TempRegistry runDirectory = TempRegistry.directoryOnly("shmlink-bench-test-");

    /**
     * Every built-in transport but the fan-out ones, which start JVMs of their own and need a core per subscriber:
     * {@link FanOutTransportTest} runs them.
     */
    static List<String> pointToPoint()
    {
        final List<String> transports = new ArrayList<>(Transports.builtIn());
        transports.removeAll(Transports.fanOut());
        return transports;
    }

    @Test
    void everyBuiltInTransportCompletesInterleavedRoundsThroughAChildJvm(@TempDir final Path results) throws Exception
    {
        final List<String> transports = pointToPoint();
        final BenchResult result =
            BenchRun.run(new PingPongOptions(transports, ROUNDS, COUNT, 1_000, 32, null), QUIET);

        assertEquals(transports, result.columns());
        assertEquals(ROUNDS, result.roundCount());
        for (int t = 0; t < transports.size(); t++)
        {
            final String name = transports.get(t);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertEquals(COUNT, result.round(r, t).getTotalCount(), name + " round " + r);
            }
            HistogramAssertions.assertPlausible(name, result.overall(t), (long)ROUNDS * COUNT);
            assertTrue(result.echoAllocatedBytes(t) >= 0, name + ": the child reports its allocations");
        }

        final int floor = result.indexOf("floor");
        final int spsc = result.indexOf("shmlink-spsc");
        for (final double ratio : result.ratios(floor, floor))
        {
            assertEquals(1.0, ratio, 0.0);
        }
        for (int t = 0; t < transports.size(); t++)
        {
            final Summary ratio = result.ratio(t, spsc);
            assertTrue(ratio.min() > 0 && ratio.min() <= ratio.median() && ratio.median() <= ratio.max(),
                transports.get(t) + ": " + ratio);
        }

        // No transport allocates per round trip. Not asserted as exactly 0: in a run this short the loops are still
        // being compiled, and a C2 deoptimisation re-materialises scalar-replaced objects on the heap (tens of
        // bytes, once). One object per message would be at least 16 bytes per round trip; the bound is 1.
        // Exactly 0 B/op is shown by JMH -prof gc and by the full run's allocation table.
        // The echo's figure also covers the second half of the warm-up and the settling round trips (6,500 messages
        // in all, so one object each would be 104 KB), and there the ring echoes' release path (ShmLink's and
        // Agrona's setMemory) sometimes allocates some 24 KB, once, while still being compiled: JFR shows it, and
        // it failed about every other run of this test before this allowance. A long run shows 0.
        // Chronicle's pinger does the same before C2 has compiled its path: 20 KB over 100,000 measured round trips
        // without warm-up, 10 KB after 2,000 warm-up round trips, 80 B after 20,000, 0 after 200,000.
        final long roundTrips = (long)ROUNDS * COUNT;
        final long echoOneOff = 32 * 1024;
        final long pingerOneOff = 32 * 1024;
        for (int t = 0; t < transports.size(); t++)
        {
            assertTrue(result.pingerAllocatedBytes(t) < roundTrips + pingerOneOff,
                transports.get(t) + " pinger allocated " + result.pingerAllocatedBytes(t) + " bytes");
            assertTrue(result.echoAllocatedBytes(t) < roundTrips + echoOneOff,
                transports.get(t) + " echo allocated " + result.echoAllocatedBytes(t) + " bytes");
        }

        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");
        assertFalse(ProcessHandle.of(result.session().echoPid()).map(ProcessHandle::isAlive).orElse(false),
            "child exited");

        final String report = print(result);
        for (final String name : transports)
        {
            assertTrue(report.contains("\n" + name + " "), "report row for " + name + ":\n" + report);
        }
        assertTrue(report.contains("p99.99") && report.contains("vs floor") && report.contains("vs shmlink-spsc") &&
            report.contains("vs uds"), report);
        final int uds = result.indexOf("uds");
        assertEquals(1.0, result.ratio(uds, uds).median(), 0.0);

        final List<Path> files = Report.writeResults(result, report, results);
        // results.md, report.txt, one .hgrm per transport, the plot
        assertEquals(3 + transports.size(), files.size(), files.toString());
        for (final Path file : files)
        {
            assertTrue(Files.size(file) > 0, file + " is empty");
        }
        final BufferedImage plot = ImageIO.read(results.resolve(PercentilePlot.FILE).toFile());
        assertTrue(plot != null && plot.getWidth() > 0 && plot.getHeight() > 0, "the plot decodes");
        final String markdown = Files.readString(results.resolve(Report.MARKDOWN_FILE));
        assertTrue(markdown.contains("| transport | p50 | p90 | p99 | p99.9 | p99.99 | max | mean | p50 vs floor | " +
            "p50 vs uds |"), markdown);
        for (final String name : transports)
        {
            assertTrue(markdown.contains("\n| " + name + " | "), "markdown row for " + name + ":\n" + markdown);
        }
        assertEquals(report, Files.readString(results.resolve(Report.TEXT_FILE)));
        for (final String name : transports)
        {
            final String content = Files.readString(results.resolve(name + ".hgrm"));
            assertTrue(content.contains("#[Mean") && content.contains("#[Max"), name + ".hgrm:\n" + content);
        }
    }

    @Test
    void atAFixedRateTheCorrectedLatencyIsNeverBelowTheUncorrected(@TempDir final Path results) throws Exception
    {
        // One spinning transport and the two blocking ones: the paced loop against both kinds of echo, and as few
        // busy-spinning round trips as that takes (on a shared two-core host, each spinning pair costs a core).
        final List<String> transports = List.of("shmlink-spsc", "uds", "tcp");
        final int rate = 20_000;
        final PingPongOptions options =
            new PingPongOptions(transports, ROUNDS, RATE_COUNT, 400, 32, null, rate, false, null);

        final long start = System.nanoTime();
        final BenchResult result = BenchRun.run(options, QUIET);
        final long elapsed = System.nanoTime() - start;

        assertTrue(result.fixedRate());
        // Every measured round sends on the schedule: it cannot be quicker than count / rate.
        final long scheduled = TimeUnit.SECONDS.toNanos(1) * ROUNDS * transports.size() * (RATE_COUNT - 1) / rate;
        assertTrue(elapsed >= scheduled, "run took " + elapsed + " ns, the schedule alone " + scheduled);
        for (int t = 0; t < transports.size(); t++)
        {
            final String name = transports.get(t);
            final Histogram corrected = result.overall(t);
            final Histogram uncorrected = result.uncorrected(t);
            assertEquals((long)ROUNDS * RATE_COUNT, corrected.getTotalCount(), name);
            assertEquals(corrected.getTotalCount(), uncorrected.getTotalCount(), name);
            assertTrue(uncorrected.getValueAtPercentile(50) > 0, name);
            for (final double percentile : new double[] {50, 90, 99, 99.9, 99.99, 100})
            {
                assertTrue(corrected.getValueAtPercentile(percentile) >= uncorrected.getValueAtPercentile(percentile),
                    name + " p" + percentile + ": corrected " + corrected.getValueAtPercentile(percentile) +
                        " < uncorrected " + uncorrected.getValueAtPercentile(percentile));
            }
            assertTrue(corrected.getMean() >= uncorrected.getMean(), name);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertTrue(result.round(r, t).getValueAtPercentile(50) >=
                    result.uncorrectedRound(r, t).getValueAtPercentile(50), name + " round " + r);
            }
        }

        final String report = print(result);
        assertTrue(report.contains("Corrected: from each ping's intended send time") &&
            report.contains("Uncorrected: from each ping's actual send time"), report);
        final List<Path> files = Report.writeResults(result, report, results);
        assertEquals(3 + 2 * transports.size(), files.size(), files.toString());
        for (final Path file : files)
        {
            assertTrue(Files.size(file) > 0, file + " is empty");
        }
        assertTrue(Files.exists(results.resolve("uds" + Report.UNCORRECTED_SUFFIX + ".hgrm")));
        final String markdown = Files.readString(results.resolve(Report.MARKDOWN_FILE));
        assertTrue(markdown.contains("Corrected (from the intended send time)") &&
            markdown.contains("Uncorrected (from the actual send time)"), markdown);
    }

    @Test
    void throughputBurstsArriveWholeAndReadOnEveryTransportAndMode(@TempDir final Path results) throws Exception
    {
        final PingPongOptions options = new PingPongOptions(pointToPoint(), ROUNDS, BURST, 10_000, 64, null, 0,
            true, null);
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();

        final BenchResult result = BenchRun.run(options,
            new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertEquals(List.of("shmlink-chronicle", "shmlink-chronicle-128", "chronicle-dto"), result.skipped(),
            "the DTO transports ping only");
        assertEquals(List.of(
            "floor offer/in-place", "floor offer/copy-out", "floor claim/in-place",
            "shmlink-spsc offer/in-place", "shmlink-spsc offer/copy-out", "shmlink-spsc claim/in-place",
            "shmlink-mpsc offer/in-place", "shmlink-mpsc offer/copy-out", "shmlink-mpsc claim/in-place",
            "shmlink-spsc-blocking offer/in-place", "shmlink-spsc-blocking offer/copy-out",
            "shmlink-spsc-blocking claim/in-place",
            "agrona offer/in-place", "agrona offer/copy-out", "agrona claim/in-place",
            "shmlink-socket offer/copy-out", "aeron offer/in-place", "aeron offer/copy-out",
            "chronicle offer/in-place", "chronicle offer/copy-out", "uds offer/copy-out", "tcp offer/copy-out",
            "memcpy-cache", "memcpy-dram"), result.columns());
        final int floor = result.indexOf("floor offer/in-place");
        for (int c = 0; c < result.columns().size(); c++)
        {
            final String name = result.columns().get(c);
            for (int r = 0; r < ROUNDS; r++)
            {
                // A burst's time includes at least one message each way: far above a microsecond.
                assertTrue(result.nanos(r, c) > 1_000, name + " round " + r + ": " + result.nanos(r, c) + " ns");
                assertTrue(result.megabytesPerSecond(r, c) > 0, name);
            }
            final Summary ratio = result.ratio(c, floor);
            assertTrue(ratio.min() > 0 && ratio.min() <= ratio.median() && ratio.median() <= ratio.max(),
                name + ": " + ratio);
            // One object per message would be 16 bytes per message at least; the bound is 1. Not 0: in a run this
            // short, the sinks' ring-release paths (ShmLink's and Agrona's) allocate some 24 KB, once, while the JIT
            // is still compiling them (seen with JFR); a long run shows (next to) nothing.
            assertTrue(result.pingerAllocatedBytes(c) < (long)ROUNDS * BURST,
                name + " sender allocated " + result.pingerAllocatedBytes(c));
            final boolean memcpy = name.startsWith("memcpy");
            assertTrue(memcpy ? result.echoAllocatedBytes(c) == -1 :
                result.echoAllocatedBytes(c) >= 0 && result.echoAllocatedBytes(c) < (long)ROUNDS * BURST,
                name + " sink allocated " + result.echoAllocatedBytes(c));
            // On Linux every counter is known; memcpy has no sink, so its sink took none.
            assertTrue(result.faults(c, BenchResult.SENDER_PROCESS) >= 0, name);
            assertTrue(result.faults(c, BenchResult.SINK_THREAD + 1) >= 0, name);
            assertTrue(!memcpy || result.faults(c, BenchResult.SINK_PROCESS) == 0, name);
            // Both sides' CPU time is known; memcpy's sink is none.
            assertTrue(result.cpuSecondsPerGib(c, false) >= 0, name);
            assertTrue(memcpy ? result.cpuSecondsPerGib(c, true) == 0 : result.cpuSecondsPerGib(c, true) >= 0, name);
        }
        assertEquals(result.indexOf("floor claim/in-place"),
            result.sameModes(result.indexOf("shmlink-spsc claim/in-place"), "floor"));
        assertEquals(-1, result.sameModes(result.indexOf("memcpy-dram"), "floor"));
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");

        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        Report.print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        final String report = text.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("MB/s") && report.contains("vs floor") && report.contains("vs memcpy-dram") &&
            report.contains("The physics: `floor offer/in-place`") && report.contains("Page faults per GiB") &&
            report.contains("sender CPU s") && report.contains("sink CPU s"), report);
        Report.writeResults(result, report, results);
        final String markdown = Files.readString(results.resolve(Report.MARKDOWN_FILE));
        assertTrue(markdown.contains("| contender | MB/s (median) | min | max | vs floor | vs agrona | " +
            "vs memcpy-dram | vs memcpy-cache |"), markdown);
        assertTrue(markdown.contains("\n| tcp offer/copy-out | "), markdown);
        assertTrue(markdown.contains("| sink thread | sender CPU s/GiB | sink CPU s/GiB |"), markdown);
        final List<String> csv = Files.readAllLines(results.resolve(Report.CSV_FILE));
        assertEquals(Report.CSV_HEADER, csv.get(0));
        assertEquals(1 + result.columns().size(), csv.size());
        assertTrue(csv.get(1).startsWith("64,floor offer/in-place,"), csv.get(1));
    }

    @Test
    void aSinkThatSkipsBytesFailsTheThroughputRun()
    {
        final PingPongOptions options = new PingPongOptions(List.of(SkippingSinkTransport.class.getName()), 1, 100,
            100, 4096, null, 0, true, null);

        final IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
            BenchRun.run(options, QUIET));

        assertTrue(failure.getMessage().contains("checksum") && failure.getMessage().contains("not read"),
            failure.getMessage());
    }

    @Test
    void aThroughputRunOfOnlyTransportsWithoutTheModeIsRefused()
    {
        final String spec = FaultyEchoTransport.Misnumbering.class.getName();
        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () ->
            BenchRun.run(new PingPongOptions(List.of(spec), 1, 10, 0, 64, null, 0, true, null), QUIET));

        assertTrue(failure.getMessage().contains("has a throughput mode"), failure.getMessage());
    }

    private static String print(final BenchResult result)
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        Report.print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anEchoWithTheWrongSequenceFailsTheRun() throws Exception
    {
        final Set<Path> before = runDirectories();
        final IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
            BenchRun.run(options(FaultyEchoTransport.Misnumbering.class), QUIET));

        assertEquals("misnumbering: echo carried sequence 2, expected 1", failure.getMessage());
        assertEquals(before, runDirectories(), "run directory deleted after a failure");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "child exited");
    }

    @Test
    void aChildThatDiesFailsTheRunInsteadOfHangingIt()
    {
        final IllegalStateException failure = assertTimeoutPreemptively(Duration.ofSeconds(25), () ->
            assertThrows(IllegalStateException.class, () ->
                BenchRun.run(options(FaultyEchoTransport.Dying.class), QUIET)));

        assertTrue(failure.getMessage().contains("exited with status " + FaultyEchoTransport.Dying.STATUS),
            failure.getMessage());
    }

    @Test
    void aChildWhoseParentVanishesStopsSpinningDeletesTheRunAndExits() throws Exception
    {
        final Path run = runDirectory.directory();
        final Path floorDirectory = Files.createDirectory(run.resolve("floor"));
        new FloorTransport().create(new LinkSpec(floorDirectory, 32, false, 0));
        try (EchoControl control = EchoControl.create(run.resolve(EchoMain.CONTROL_FILE));
            ChildJvm child = EchoMain.start(run, 32, List.of("floor"), false))
        {
            child.awaitReady(Duration.ofSeconds(20));
            control.request(0);
            control.awaitAcknowledged(0, child); // returns once the child is busy-spinning in the floor's echo loop

            // End-of-file on stdin without STOP: what the child sees when its parent is killed.
            final long[] allocated = child.finish(Duration.ofSeconds(20));

            assertNotNull(allocated, "the child reached its normal exit path");
            assertFalse(Files.exists(run), "the orphaned child deleted the run directory");
        }
    }

    private static PingPongOptions options(final Class<? extends Transport> transport)
    {
        return new PingPongOptions(List.of(transport.getName()), 1, 100, 0, 8, null);
    }

    private static Set<Path> runDirectories() throws IOException
    {
        try (Stream<Path> entries = Files.list(ShmTempDirectory.root()))
        {
            return entries.filter(p -> p.getFileName().toString().startsWith("shmlink-pingpong-"))
                .collect(Collectors.toSet());
        }
    }
}
