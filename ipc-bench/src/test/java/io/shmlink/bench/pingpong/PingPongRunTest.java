package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
class PingPongRunTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int ROUNDS = 2;
    private static final int COUNT = 2_000;

    @Test
    void everyBuiltInTransportCompletesInterleavedRoundsThroughAChildJvm(@TempDir final Path hgrm) throws Exception
    {
        final List<String> transports = Transports.builtIn();
        final PingPongResult result =
            PingPongRun.run(new PingPongOptions(transports, ROUNDS, COUNT, 1_000, 32, null), QUIET);

        assertEquals(transports, result.transports());
        assertEquals(ROUNDS, result.roundCount());
        for (int t = 0; t < transports.size(); t++)
        {
            final String name = transports.get(t);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertEquals(COUNT, result.round(r, t).getTotalCount(), name + " round " + r);
            }
            final Histogram h = result.overall(t);
            assertEquals((long)ROUNDS * COUNT, h.getTotalCount(), name);
            final long p50 = h.getValueAtPercentile(50);
            final long p90 = h.getValueAtPercentile(90);
            final long p99 = h.getValueAtPercentile(99);
            final long p999 = h.getValueAtPercentile(99.9);
            assertTrue(p50 > 0, name + " p50 " + p50);
            assertTrue(p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= h.getMaxValue(),
                name + " percentiles not monotone: " + p50 + " " + p90 + " " + p99 + " " + p999 + " " + h.getMaxValue());
            assertTrue(h.getMean() > 0 && h.getMean() <= h.getMaxValue(), name + " mean " + h.getMean());
            assertTrue(result.echoAllocatedBytes(t) >= 0, name + ": the child reports its allocations");
        }

        final int floor = result.indexOf("floor");
        final int spsc = result.indexOf("shmlink-spsc");
        for (final double ratio : result.p50Ratios(floor, floor))
        {
            assertEquals(1.0, ratio, 0.0);
        }
        for (int t = 0; t < transports.size(); t++)
        {
            final PingPongResult.RatioSummary ratio = result.p50Ratio(t, spsc);
            assertTrue(ratio.min() > 0 && ratio.min() <= ratio.median() && ratio.median() <= ratio.max(),
                transports.get(t) + ": " + ratio);
        }

        // No transport allocates per round trip. Not asserted as exactly 0: in a run this short the loops are still
        // being compiled, and a C2 deoptimisation re-materialises scalar-replaced objects on the heap (tens of
        // bytes, once). One object per message would be at least 16 bytes per round trip; the bound is 1.
        // Exactly 0 B/op is shown by JMH -prof gc and by the full run's allocation table.
        final long roundTrips = (long)ROUNDS * COUNT;
        for (int t = 0; t < transports.size(); t++)
        {
            assertTrue(result.pingerAllocatedBytes(t) < roundTrips,
                transports.get(t) + " pinger allocated " + result.pingerAllocatedBytes(t) + " bytes");
            assertTrue(result.echoAllocatedBytes(t) < roundTrips,
                transports.get(t) + " echo allocated " + result.echoAllocatedBytes(t) + " bytes");
        }

        assertFalse(Files.exists(result.runDirectory()), "run directory deleted");
        assertFalse(ProcessHandle.of(result.echoPid()).map(ProcessHandle::isAlive).orElse(false), "child exited");

        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        Report.print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        final String report = text.toString(StandardCharsets.UTF_8);
        for (final String name : transports)
        {
            assertTrue(report.contains("\n" + name + " "), "report row for " + name + ":\n" + report);
        }
        assertTrue(report.contains("p99.99") && report.contains("vs floor") && report.contains("vs shmlink-spsc"),
            report);

        final List<Path> files = Report.writeHgrm(result, hgrm);
        assertEquals(transports.size(), files.size());
        for (final Path file : files)
        {
            final String content = Files.readString(file);
            assertTrue(content.contains("#[Mean") && content.contains("#[Max"), file + ":\n" + content);
        }
    }

    @Test
    void anEchoWithTheWrongSequenceFailsTheRun() throws Exception
    {
        final Set<Path> before = runDirectories();
        final IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
            PingPongRun.run(options(FaultyEchoTransport.Misnumbering.class), QUIET));

        assertEquals("misnumbering: echo carried sequence 2, expected 1", failure.getMessage());
        assertEquals(before, runDirectories(), "run directory deleted after a failure");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "child exited");
    }

    @Test
    void aChildThatDiesFailsTheRunInsteadOfHangingIt()
    {
        final IllegalStateException failure = assertTimeoutPreemptively(Duration.ofSeconds(25), () ->
            assertThrows(IllegalStateException.class, () ->
                PingPongRun.run(options(FaultyEchoTransport.Dying.class), QUIET)));

        assertTrue(failure.getMessage().contains("exited with status " + FaultyEchoTransport.Dying.STATUS),
            failure.getMessage());
    }

    @Test
    void aChildWhoseParentVanishesStopsSpinningDeletesTheRunAndExits() throws Exception
    {
        try (ShmTempDirectory directory = ShmTempDirectory.create("shmlink-pingpong-test-"))
        {
            final Path run = directory.path();
            final Path floorDirectory = Files.createDirectory(run.resolve("floor"));
            new FloorTransport().create(new LinkSpec(floorDirectory, 32));
            try (EchoControl control = EchoControl.create(run.resolve(EchoMain.CONTROL_FILE));
                EchoChild child = EchoChild.start(run, 32, List.of("floor")))
            {
                child.awaitReady(Duration.ofSeconds(20));
                control.activate(0, child); // returns once the child is busy-spinning in the floor's echo loop

                // End-of-file on stdin without STOP: what the child sees when its parent is killed.
                final long[] allocated = child.finish(Duration.ofSeconds(20));

                assertNotNull(allocated, "the child reached its normal exit path");
                assertFalse(Files.exists(run), "the orphaned child deleted the run directory");
            }
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
