package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PingPongOptionsTest
{
    @Test
    void noOptionsMeansTheQuickPresetOverTheSharedMemoryTransports()
    {
        final PingPongOptions options = PingPongOptions.parse();

        assertEquals(PingPongOptions.QUICK, options);
        assertEquals(List.of("floor", "shmlink-spsc", "shmlink-mpsc", "agrona", "shmlink-socket", "aeron", "chronicle"),
            options.transports());
        assertEquals(List.of("floor", "shmlink-spsc", "shmlink-mpsc", "shmlink-spsc-blocking", "agrona",
            "shmlink-socket", "aeron", "chronicle", "shmlink-chronicle", "shmlink-chronicle-128", "chronicle-dto",
            "uds", "tcp",
            "shmlink-spmc-1", "shmlink-spmc-2", "shmlink-spmc-3",
            "aeron-ipc-fanout-1", "aeron-ipc-fanout-2", "aeron-ipc-fanout-3"),
            Transports.builtIn());
        assertNull(options.hgrmDirectory());
        assertEquals(0, options.rate(), "back to back unless --rate");
        assertFalse(options.fixedRate());
        assertFalse(options.throughput());
        assertNull(options.outDirectory(), "the main class picks results/<timestamp>");
    }

    @Test
    void theFanOutTransportsAreSelectedByNameAndListedInTheHelp()
    {
        final PingPongOptions options =
            PingPongOptions.parse("--transports", "shmlink-spsc,shmlink-spmc-3,aeron-ipc-fanout-3");

        assertEquals(List.of("shmlink-spsc", "shmlink-spmc-3", "aeron-ipc-fanout-3"), options.transports());
        assertEquals(List.of("shmlink-spmc-1", "shmlink-spmc-2", "shmlink-spmc-3", "aeron-ipc-fanout-1",
            "aeron-ipc-fanout-2", "aeron-ipc-fanout-3"), Transports.fanOut());
        for (final String name : Transports.fanOut())
        {
            assertTrue(PingPongOptions.USAGE.contains(name), name + " in the help:\n" + PingPongOptions.USAGE);
            try (Transport transport = Transports.create(name))
            {
                assertEquals(name, transport.name());
                assertEquals(name.startsWith("aeron") ? ThroughputModes.OFFER : ThroughputModes.OFFER_AND_CLAIM,
                    transport.throughputModes(), name);
                assertEquals(Integer.parseInt(name.substring(name.length() - 1)),
                    ((FanOutTransport)transport).subscribers(), name);
            }
        }
        assertFalse(Transports.defaults().stream().anyMatch(Transports.fanOut()::contains),
            "a quick run starts no extra JVMs");
    }

    @Test
    void theNewModesAndTheResultsFolderAreParsed()
    {
        final PingPongOptions rate = PingPongOptions.parse("--rate", "100_000", "--out", "results/mine");

        assertEquals(100_000, rate.rate());
        assertTrue(rate.fixedRate());
        assertFalse(rate.throughput());
        assertEquals(Path.of("results/mine"), rate.outDirectory());

        final PingPongOptions throughput = PingPongOptions.parse("--throughput", "--size", "256");

        assertTrue(throughput.throughput());
        assertFalse(throughput.fixedRate());
        assertEquals(256, throughput.messageLength());
    }

    @Test
    void badValuesOfTheNewOptionsAreRefusedWithAClearMessage()
    {
        assertEquals("--rate must be in [1, 1000000000] pings per second: 0", refusal("--rate", "0"));
        assertEquals("--rate must be in [1, 1000000000] pings per second: -5", refusal("--rate", "-5"));
        assertEquals("--rate needs a whole number: fast (pings per second, e.g. 100000)", refusal("--rate", "fast"));
        assertEquals("--rate needs a whole number: 1e5 (pings per second, e.g. 100000)", refusal("--rate", "1e5"));
        assertEquals("--rate must be in [1, 1000000000] pings per second: 2000000000",
            refusal("--rate", "2000000000"));
        assertEquals("--rate needs a value", refusal("--rate"));
        assertEquals("--rate needs a value", refusal("--rate", "--throughput"));
        assertEquals("--out needs a value", refusal("--out"));
        assertEquals("--out needs a value", refusal("--out", " "));
        assertTrue(refusal("--throughput", "--rate", "1000").startsWith("--rate and --throughput exclude each other"));
        assertTrue(refusal("--rate", "1000", "--throughput").startsWith("--rate and --throughput exclude each other"));
        assertThrows(IllegalArgumentException.class, () -> new PingPongOptions(
            List.of("floor"), 1, 1, 0, 32, null, -1, false, null), "a negative rate, also when built directly");
    }

    @Test
    void freshJvmsIsParsedAndIsOffUnlessAsked()
    {
        assertFalse(PingPongOptions.parse().freshJvms());
        assertFalse(PingPongOptions.QUICK.freshJvms());

        final PingPongOptions fresh = PingPongOptions.parse("--rounds", "3", "--fresh-jvms", "--rate", "1000");

        assertTrue(fresh.freshJvms());
        assertEquals(3, fresh.rounds(), "the other options still apply");
        assertTrue(fresh.fixedRate(), "a fixed rate in fresh JVMs too");
    }

    @Test
    void freshJvmsIsListedInTheHelp()
    {
        assertTrue(PingPongOptions.USAGE.contains("  --fresh-jvms  "), PingPongOptions.USAGE);
    }

    @Test
    void freshJvmsIsRefusedForAThroughputRun()
    {
        assertTrue(refusal("--fresh-jvms", "--throughput").startsWith("--fresh-jvms is for latency runs only"));
        assertTrue(refusal("--throughput", "--fresh-jvms").startsWith("--fresh-jvms is for latency runs only"));
    }

    private static String refusal(final String... args)
    {
        return assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse(args)).getMessage();
    }

    @Test
    void explicitValuesOverrideThePresetWhateverTheOrder()
    {
        final PingPongOptions options = PingPongOptions.parse(
            "--rounds", "3", "--full", "--transports", "floor,agrona", "--size", "1024", "--count", "1_000",
            "--hgrm", "out");

        assertEquals(List.of("floor", "agrona"), options.transports());
        assertEquals(3, options.rounds());
        assertEquals(1_000, options.count());
        assertEquals(PingPongOptions.FULL.warmup(), options.warmup());
        assertEquals(1024, options.messageLength());
        assertEquals(Path.of("out"), options.hgrmDirectory());
    }

    @Test
    void allMeansEveryBuiltInTransportAndMixesWithOthers()
    {
        assertEquals(Transports.builtIn(), PingPongOptions.parse("--transports", "all").transports());
        assertEquals(Transports.builtIn(), PingPongOptions.parse("--full", "--transports", "all").transports());
        final List<String> mixed = PingPongOptions.parse("--transports", "all,com.example.MyTransport").transports();
        assertEquals(Transports.builtIn().size() + 1, mixed.size());
        assertEquals("com.example.MyTransport", mixed.get(mixed.size() - 1));
    }

    @Test
    void badOptionsAreRefusedWithTheirName()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--fast"))
            .getMessage().contains("--fast"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--size", "4"))
            .getMessage().contains("--size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--rounds", "0"))
            .getMessage().contains("--rounds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--count"))
            .getMessage().contains("--count"));
    }

    @Test
    void unknownTransportsAndDuplicateNamesAreRefused()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Transports.create(List.of("zeromq")))
            .getMessage().contains("unknown transport 'zeromq'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Transports.create(List.of("floor", "floor")))
            .getMessage().contains("distinct"));
    }
}
