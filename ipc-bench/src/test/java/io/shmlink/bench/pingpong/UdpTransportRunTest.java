package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The UDP transports through a real echo child, briefly: on two vCPUs their drivers (and bridges) share two cores
 * with the pinger and the echo, so a round trip waits for the scheduler (milliseconds) and the figures mean nothing;
 * what is checked is that every round trip came back with the sequence sent (the harness fails the run otherwise),
 * that every burst arrived whole, and that the drivers and the run directory are gone afterwards. The drivers and
 * bridges back off here ({@link AeronUdp#IDLE_PROPERTY}), passed on to the echo child, which keeps a run to seconds.
 */
class UdpTransportRunTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int ROUND_TRIPS = 500;
    private static final int WARMUP = 200;

    @BeforeAll
    static void backOff()
    {
        System.setProperty(AeronUdp.IDLE_PROPERTY, "backoff");
    }

    @AfterAll
    static void spinAgain()
    {
        System.clearProperty(AeronUdp.IDLE_PROPERTY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aeron-udp", "shmlink-aeron-bridge"})
    void runsOnlyWhenNamedAndSaysWhatItWants(final String name)
    {
        assertTrue(Transports.byNameOnly().contains(name), name);
        assertFalse(Transports.expand(List.of(Transports.ALL)).contains(name), name + " in " + Transports.ALL);
        assertFalse(Transports.defaults().contains(name), name + " in the defaults");
        assertTrue(PingPongOptions.USAGE.contains(name), name + " in the help:\n" + PingPongOptions.USAGE);
        try (Transport transport = Transports.create(name))
        {
            assertEquals(name, transport.name());
            assertEquals(ThroughputModes.OFFER, transport.throughputModes());
            final String line = transport.describe(new LinkSpec(Path.of("unused"), 32, false, 0));
            assertTrue(line.contains("UDP") && line.contains("6+ idle cores"), line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"aeron-udp", "shmlink-aeron-bridge"})
    void everyRoundTripComesBackThroughAChildJvm(final String name) throws Exception
    {
        final BenchResult result =
            BenchRun.run(new PingPongOptions(List.of(name), 1, ROUND_TRIPS, WARMUP, 32, null), QUIET);

        assertEquals(List.of(name), result.columns());
        HistogramAssertions.assertPlausible(name, result.overall(0), ROUND_TRIPS);
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted, drivers' with it");
        assertFalse(ProcessHandle.of(result.session().echoPid()).map(ProcessHandle::isAlive).orElse(false),
            "child exited");
    }

    @ParameterizedTest
    @ValueSource(strings = {"aeron-udp", "shmlink-aeron-bridge"})
    void burstsOf64KiBArriveWhole(final String name) throws Exception
    {
        // 64 KiB messages: 47 datagrams each at Aeron's default MTU, reassembled on the far side.
        final int count = 100;
        final PingPongOptions options =
            new PingPongOptions(List.of(name), 1, count, count, 64 * 1024, null, 0, true, null);

        final BenchResult result = BenchRun.run(options, QUIET);

        // BenchRun fails the run unless each burst's acknowledged count and checksum of every byte are the sender's.
        assertEquals(List.of(name + " offer/in-place", name + " offer/copy-out", "memcpy-cache", "memcpy-dram"),
            result.columns());
        assertTrue(result.megabytesPerSecond(0, 0) > 0 && result.megabytesPerSecond(0, 1) > 0, name);
        assertFalse(Files.exists(result.session().runDirectory()), "run directory deleted");
    }
}
