package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ShmLinkBlockingTransport} through a real echo child: readers that sleep on their doorbells and a sender
 * that backs off from a full ring still deliver every message whole, in both modes of the harness.
 */
class ShmLinkBlockingTransportTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final String NAME = "shmlink-spsc-blocking";
    private static final int ROUNDS = 2;

    @Test
    void burstsThroughAFullRingArriveWholeAndReadInEveryMode() throws Exception
    {
        // 4 KiB messages and a 64 KiB ring: the sender finds the ring full and waits for room many times a burst.
        final int count = 2_000;
        final PingPongOptions options =
            new PingPongOptions(List.of(NAME), ROUNDS, count, 2_000, 4096, null, 0, true, null);

        final BenchResult result = BenchRun.run(options, QUIET);

        // BenchRun fails the run unless each burst's acknowledged count and checksum of every byte are the sender's.
        assertEquals(List.of(NAME + " offer/in-place", NAME + " offer/copy-out", NAME + " claim/in-place",
            "memcpy-cache", "memcpy-dram"), result.columns());
        for (int c = 0; c < 3; c++)
        {
            final String name = result.columns().get(c);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertTrue(result.megabytesPerSecond(r, c) > 0, name + " round " + r);
            }
            assertTrue(result.cpuSecondsPerGib(c, false) >= 0 && result.cpuSecondsPerGib(c, true) >= 0, name);
            assertTrue(result.echoAllocatedBytes(c) >= 0, name + ": the child reports its allocations");
        }
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");
    }

    @Test
    void aBlockingEchoAnswersEveryPing() throws Exception
    {
        final int count = 2_000;

        final BenchResult result =
            BenchRun.run(new PingPongOptions(List.of(NAME), ROUNDS, count, 2_000, 32, null), QUIET);

        HistogramAssertions.assertPlausible(NAME, result.overall(0), (long)ROUNDS * count);
        assertFalse(ProcessHandle.of(result.session().echoPid()).map(ProcessHandle::isAlive).orElse(false),
            "child exited");
    }
}
