package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fan-out transports ({@link FanOutTransport}) end to end: the echo child and every side subscriber JVM, short
 * runs. Every subscriber reading every message is checked by the run itself, and a run that passes proves it: each
 * side checks its pings' sequence numbers and length, the pinger compares every side's acknowledgement of every
 * burst (count and checksum of every byte) with the echo child's, which the run checks against what was sent, and
 * as it closes it checks that each side received exactly the messages it sent. The last two tests show that those
 * checks fail a run whose side drops one message.
 * <p>
 * On a two-core machine a fan-out to three has four spinning threads, so the counts are small: these runs prove
 * that the transports work, not how fast they are.
 */
class FanOutTransportTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int ROUNDS = 2;
    private static final int COUNT = 2_000;
    private static final int BURST = 20_000;

    /** A point-to-point transport first, so that the run switches between it and the fan-outs. */
    private static List<String> transports()
    {
        final List<String> transports = new ArrayList<>(List.of("shmlink-spsc"));
        transports.addAll(Transports.fanOut());
        return transports;
    }

    @Test
    void everyFanOutTransportCompletesInterleavedRoundsWithEverySubscriberReadingEveryPing() throws Exception
    {
        final List<String> transports = transports();
        final BenchResult result =
            BenchRun.run(new PingPongOptions(transports, ROUNDS, COUNT, 1_000, 32, null), QUIET);

        assertEquals(transports, result.columns());
        final long roundTrips = (long)ROUNDS * COUNT;
        for (int t = 0; t < transports.size(); t++)
        {
            final String name = transports.get(t);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertEquals(COUNT, result.round(r, t).getTotalCount(), name + " round " + r);
            }
            HistogramAssertions.assertPlausible(name, result.overall(t), roundTrips);
            // As in BenchRunTest: less than one object per round trip, with room for one-off JIT allocations.
            assertTrue(result.pingerAllocatedBytes(t) < roundTrips + 32 * 1024,
                name + " pinger allocated " + result.pingerAllocatedBytes(t) + " bytes");
            assertTrue(result.echoAllocatedBytes(t) >= 0 && result.echoAllocatedBytes(t) < roundTrips + 32 * 1024,
                name + " echo allocated " + result.echoAllocatedBytes(t) + " bytes");
        }
        final String description = result.description(result.indexOf("shmlink-spmc-3"));
        assertTrue(description.contains("3 subscriber JVMs, each reading every byte"), description);
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive),
            "the echo child and every side subscriber exited");
    }

    @Test
    void throughputBurstsReachEverySubscriberWholeAndRead() throws Exception
    {
        final PingPongOptions options =
            new PingPongOptions(transports(), ROUNDS, BURST, BURST, 64, null, 0, true, null);

        final BenchResult result = BenchRun.run(options, QUIET);

        final List<String> expected = new ArrayList<>();
        for (final String name : transports())
        {
            expected.add(name + " offer/in-place");
            expected.add(name + " offer/copy-out");
            if (!name.startsWith("aeron"))
            {
                expected.add(name + " claim/in-place");
            }
        }
        expected.add("memcpy-cache");
        expected.add("memcpy-dram");
        assertEquals(expected, result.columns());
        for (int c = 0; c < result.columns().size(); c++)
        {
            final String name = result.columns().get(c);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertTrue(result.nanos(r, c) > 1_000 && result.megabytesPerSecond(r, c) > 0,
                    name + " round " + r + ": " + result.nanos(r, c) + " ns");
            }
            assertTrue(result.pingerAllocatedBytes(c) < (long)ROUNDS * BURST,
                name + " sender allocated " + result.pingerAllocatedBytes(c));
        }
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive),
            "the echo child and every side subscriber exited");
    }

    @Test
    void aSideSubscriberThatDropsAMessageFailsTheThroughputRun()
    {
        final PingPongOptions options = new PingPongOptions(List.of(SkippingSideTransport.class.getName()), 1,
            2 * (int)SkippingSideTransport.DROPPED, 100, 64, null, 0, true, null);

        final IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
            BenchRun.run(options, QUIET));

        assertTrue(failure.getMessage().contains("fan-out subscriber 1 acknowledged") &&
            failure.getMessage().contains("subscriber 0"), failure.getMessage());
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "every child exited");
    }

    @Test
    void aSideSubscriberThatDropsAPingFailsTheRun()
    {
        final ByteArrayOutputStream errors = new ByteArrayOutputStream();
        final PingPongOptions options = new PingPongOptions(List.of(SkippingSideTransport.class.getName()), 1,
            2 * (int)SkippingSideTransport.DROPPED, 0, 32, null);

        final IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
            BenchRun.run(options, new PrintStream(errors, true, StandardCharsets.UTF_8)));

        // The side stops at the gap (its standard error says "ping 501 after 499") and exits with a failure; the
        // pinger notices while waiting, or when it ends the side.
        assertTrue(failure.getMessage().contains("subscriber 1") && failure.getMessage().contains("exited with status"),
            failure.getMessage());
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "every child exited");
    }
}
