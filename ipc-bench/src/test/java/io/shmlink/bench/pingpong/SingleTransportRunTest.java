package io.shmlink.bench.pingpong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One transport alone through a real echo child, long enough (10,000 measured round trips) for its percentiles to
 * mean something: for the transports that bring a library of their own (a media driver, memory-mapped journals,
 * JVM flags), whose set-up and tear-down the short all-transport run of {@link BenchRunTest} only skims.
 */
class SingleTransportRunTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int ROUND_TRIPS = 10_000;
    private static final int ROUNDS = 2;
    private static final int COUNT = ROUND_TRIPS / ROUNDS;
    /** Enough for C2 to compile Chronicle's paths: before that its pinger allocates (10 KB after 2,000). */
    private static final int WARMUP = 20_000;

    @ParameterizedTest
    @ValueSource(strings = {"shmlink-socket", "aeron", "chronicle"})
    void completesTenThousandRoundTripsThroughAChildJvmAndCleansUp(final String transport) throws Exception
    {
        final BenchResult result = BenchRun.run(
            new PingPongOptions(List.of(transport), ROUNDS, COUNT, WARMUP, 32, null), QUIET);

        assertEquals(List.of(transport), result.columns());
        HistogramAssertions.assertPlausible(transport, result.overall(0), ROUND_TRIPS);
        for (int r = 0; r < ROUNDS; r++)
        {
            assertEquals(COUNT, result.round(r, 0).getTotalCount(), transport + " round " + r);
        }
        // Reported, whatever they are; bounded as in BenchRunTest: less than one object per round trip.
        assertTrue(result.echoAllocatedBytes(0) >= 0, transport + ": the child reports its allocations");
        assertTrue(result.pingerAllocatedBytes(0) < ROUND_TRIPS,
            transport + " pinger allocated " + result.pingerAllocatedBytes(0) + " bytes");

        // The media driver's directory and the queues' files were in the run directory.
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");
        assertFalse(ProcessHandle.of(result.session().echoPid()).map(ProcessHandle::isAlive).orElse(false),
            "child exited");
    }
}
