package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --fresh-jvms} end to end: one short run of two cheap transports, every (round, transport) in JVMs of its
 * own, shared by the tests below.
 */
class FreshJvmRunTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final List<String> TRANSPORTS = List.of("floor", "shmlink-spsc");
    private static final int ROUNDS = 2;
    private static final int COUNT = 2_000;
    private static final int WARMUP = 2_000;

    private static BenchResult result;
    private static final List<FreshJvmRun.Measurement> MEASUREMENTS = new ArrayList<>();

    @BeforeAll
    static void runTwoRoundsInFreshJvms() throws Exception
    {
        final PingPongOptions options = PingPongOptions.parse("--fresh-jvms", "--transports",
            String.join(",", TRANSPORTS), "--rounds", Integer.toString(ROUNDS), "--count", Integer.toString(COUNT),
            "--warmup", Integer.toString(WARMUP));
        result = FreshJvmRun.run(options, QUIET, MEASUREMENTS::add);
    }

    @Test
    void everyRoundOfEveryTransportRanInAPingerJvmOfItsOwn()
    {
        assertEquals(ROUNDS * TRANSPORTS.size(), MEASUREMENTS.size(), MEASUREMENTS.toString());
        final Set<List<Integer>> cells = new HashSet<>();
        final Set<Long> pingers = new HashSet<>();
        final Set<Long> echoes = new HashSet<>();
        final long self = ProcessHandle.current().pid();
        for (final FreshJvmRun.Measurement measurement : MEASUREMENTS)
        {
            cells.add(List.of(measurement.round(), measurement.transport()));
            pingers.add(measurement.pingerPid());
            echoes.add(measurement.echoPid());
            assertNotEquals(self, measurement.pingerPid(), "measured in the test's JVM: " + measurement);
            assertNotEquals(measurement.pingerPid(), measurement.echoPid(), "pinger and echo in one JVM");
            assertFalse(ProcessHandle.of(measurement.pingerPid()).map(ProcessHandle::isAlive).orElse(false),
                "pinger still alive: " + measurement);
            assertFalse(ProcessHandle.of(measurement.echoPid()).map(ProcessHandle::isAlive).orElse(false),
                "echo still alive: " + measurement);
        }
        assertEquals(ROUNDS * TRANSPORTS.size(), cells.size(), "each (round, transport) once: " + MEASUREMENTS);
        assertEquals(MEASUREMENTS.size(), pingers.size(), "a distinct pinger JVM per measurement: " + MEASUREMENTS);
        assertEquals(MEASUREMENTS.size(), echoes.size(), "a distinct echo JVM per measurement: " + MEASUREMENTS);
    }

    @Test
    void theRoundsKeepTheirInterleavedOrder()
    {
        for (int i = 0; i < MEASUREMENTS.size(); i++)
        {
            final int round = i / TRANSPORTS.size();
            final int transport = (round + i % TRANSPORTS.size()) % TRANSPORTS.size();
            assertEquals(List.of(round, transport),
                List.of(MEASUREMENTS.get(i).round(), MEASUREMENTS.get(i).transport()), MEASUREMENTS.toString());
        }
    }

    @Test
    void theReportHasOneP50PerRoundPerTransport()
    {
        assertEquals(TRANSPORTS, result.columns());
        assertEquals(ROUNDS, result.roundCount());
        final String report = print(result);
        final List<String> lines = report.lines().toList();
        final int table = lines.indexOf("p50 per round (ns):");
        assertTrue(table >= 0, report);
        assertEquals(List.of("round", "floor", "shmlink-spsc"), List.of(lines.get(table + 1).trim().split("\\s+")));
        for (int r = 0; r < ROUNDS; r++)
        {
            final String[] row = lines.get(table + 2 + r).trim().split("\\s+");
            assertEquals(1 + TRANSPORTS.size(), row.length, lines.get(table + 2 + r));
            assertEquals(Integer.toString(r + 1), row[0]);
            for (int t = 0; t < TRANSPORTS.size(); t++)
            {
                assertEquals(COUNT, result.round(r, t).getTotalCount(), TRANSPORTS.get(t) + " round " + r);
                final long p50 = result.round(r, t).getValueAtPercentile(50);
                assertTrue(p50 > 0, TRANSPORTS.get(t) + " round " + r);
                assertEquals(Long.toString(p50), row[1 + t], TRANSPORTS.get(t) + " round " + r);
            }
        }
        assertTrue(report.contains("Fresh JVMs: each transport in each round ran in a new pinger JVM"), report);
        assertTrue(report.contains("vs floor") && report.contains("vs shmlink-spsc"), report);
    }

    @Test
    void theAllocationCountsOfEveryChildAreCollected()
    {
        for (int t = 0; t < TRANSPORTS.size(); t++)
        {
            assertTrue(result.pingerAllocatedBytes(t) >= 0, TRANSPORTS.get(t));
            assertTrue(result.echoAllocatedBytes(t) >= 0, TRANSPORTS.get(t) + ": every echo reports its allocations");
        }
    }

    @Test
    void theResultsFolderHasTheFilesOfTheDefaultShape(@TempDir final Path results) throws Exception
    {
        final String report = print(result);

        final List<Path> files = Report.writeResults(result, report, results);

        // results.md, report.txt, one .hgrm per transport, the plot
        assertEquals(3 + TRANSPORTS.size(), files.size(), files.toString());
        for (final Path file : files)
        {
            assertTrue(Files.size(file) > 0, file + " is empty");
        }
        assertFalse(Files.exists(result.session().runDirectory()), "the pingers' report directory is deleted");
    }

    @Test
    void aPingerThatFailsFailsTheRunNamingItsTransportAndLeavesNoJvm()
    {
        final String spec = FaultyEchoTransport.Misnumbering.class.getName();
        final PingPongOptions options = new PingPongOptions(List.of(spec), 1, 100, 0, 8, null, 0, false, null, true);

        final IllegalStateException failure =
            assertThrows(IllegalStateException.class, () -> FreshJvmRun.run(options, QUIET));

        assertTrue(failure.getMessage().startsWith(spec + ": fresh pinger") &&
            failure.getMessage().contains("exited with status 1"), failure.getMessage());
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "pinger exited");
    }

    private static String print(final BenchResult result)
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        Report.print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
    }
}
