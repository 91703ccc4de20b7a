package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.ShmTestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flow, one JVM per stage: publisher -> local channel -> outbound bridge -> UDP on 127.0.0.1 ->
 * inbound bridge -> second registry directory -> subscriber.
 */
class CrossProcessBridgeTest
{
    private static final Pattern DONE =
        Pattern.compile("DONE received (\\d+) gaps (\\d+) missing (\\d+) repeats (\\d+)");
    private static final int STREAM = 11;

    private Path dirA;
    private Path dirB;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void open() throws Exception
    {
        dirA = ShmTestDirectory.create("aeron-xa-");
        dirB = ShmTestDirectory.create("aeron-xb-");
    }

    @AfterEach
    void close() throws Exception
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        ShmTestDirectory.delete(dirA);
        ShmTestDirectory.delete(dirB);
    }

    private ChildJvm start(final String label, final Class<?> main, final String... args) throws Exception
    {
        final ChildJvm child = ChildJvm.start(main, args).labelled(label);
        children.add(child);
        return child;
    }

    private void createChannels(final ChannelConfig destination)
    {
        try (ShmRegistry a = ShmRegistry.open(dirA); ShmRegistry b = ShmRegistry.open(dirB))
        {
            a.create("src", ChannelConfig.spsc(1 << 20));
            b.create("dst", destination);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionRandomLengthMessagesArriveInOrderOnceAcrossFourJvms() throws Exception
    {
        final long count = 1_000_000;
        createChannels(ChannelConfig.spsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = start("subscriber", SubscriberMain.class,
            dirB.toString(), "dst", Long.toString(count - 1), "250000", "90");
        subscriber.awaitLine("SUBSCRIBED");
        final ChildJvm inbound = start("inbound", BridgeMain.class, "in", dirB.toString(), "dst", uri, "" + STREAM);
        inbound.awaitLine("BRIDGE UP");
        final ChildJvm outbound = start("outbound", BridgeMain.class, "out", dirA.toString(), "src", uri, "" + STREAM);
        outbound.awaitLine("BRIDGE UP");
        final ChildJvm publisher = start("publisher", PublisherMain.class, dirA.toString(), "src", "" + count, "21");
        publisher.awaitLine("SENT");

        final Matcher done = DONE.matcher(subscriber.awaitLine("DONE"));
        assertTrue(done.matches());
        assertEquals(count, Long.parseLong(done.group(1)));
        assertEquals(0, Long.parseLong(done.group(2)), "gaps");
        assertEquals(0, subscriber.waitFor(10));
        assertEquals(0, publisher.waitFor(10));

        inbound.sendLine("stop");
        outbound.sendLine("stop");
        assertTrue(inbound.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
        assertTrue(outbound.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
        assertEquals(0, inbound.waitFor(10));
        assertEquals(0, outbound.waitFor(10));
        try (var files = Files.list(dirA))
        {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".aeron-")),
                "an embedded driver's directory outlived its bridge");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBridgeLeftOpenDoesNotKeepItsJvmAlive() throws Exception
    {
        final ChildJvm child = start("unclosed", UnclosedBridgeMain.class, dirB.toString(),
            TestMessages.udp(TestMessages.freeUdpPort()));
        assertEquals("BRIDGE UP true", child.awaitLine("BRIDGE UP"));
        assertEquals(0, child.waitFor(30), "a JVM with an unclosed bridge did not exit by itself");
        // its embedded driver's directory is left behind, for cleanStaleDrivers
        assertEquals(1, AeronBridge.cleanStaleDrivers(dirB).size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKilledOutboundBridgeRestartsWhereItStoppedRepeatingAtMostItsLastPoll() throws Exception
    {
        final long count = 300_000;
        createChannels(ChannelConfig.spsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = start("subscriber", SubscriberMain.class,
            dirB.toString(), "dst", Long.toString(count - 1), "50000", "90", "repeats");
        subscriber.awaitLine("SUBSCRIBED");
        final ChildJvm inbound = start("inbound", BridgeMain.class, "in", dirB.toString(), "dst", uri, "" + STREAM);
        inbound.awaitLine("BRIDGE UP");
        final ChildJvm outbound = start("outbound", BridgeMain.class, "out", dirA.toString(), "src", uri, "" + STREAM);
        outbound.awaitLine("BRIDGE UP");
        start("publisher", PublisherMain.class, dirA.toString(), "src", "" + count, "9");

        subscriber.awaitLine("RECEIVED 50000");
        outbound.kill(); // SIGKILL mid-stream: its embedded driver dies with it
        final ChildJvm restarted = start("outbound-2", BridgeMain.class, "out", dirA.toString(), "src", uri,
            "" + STREAM);
        restarted.awaitLine("BRIDGE UP");

        final String doneLine = subscriber.awaitLine("DONE");
        final Matcher done = DONE.matcher(doneLine);
        assertTrue(done.matches(), doneLine);
        final long received = Long.parseLong(done.group(1));
        final long missing = Long.parseLong(done.group(3));
        final long repeats = Long.parseLong(done.group(4));
        assertEquals(count, received - repeats + missing, "every sequence is received or counted as missing");
        assertTrue(repeats <= 64, "more repeats than one poll of the local channel hands over: " + repeats);
        assertEquals(0, subscriber.waitFor(10));
        System.out.println("kill -9 of the outbound bridge: " + doneLine);

        restarted.sendLine("stop");
        assertTrue(restarted.awaitLine("FORWARDED").endsWith("failure null"));
        inbound.sendLine("stop");
        final String inboundCounters = inbound.awaitLine("FORWARDED");
        assertTrue(inboundCounters.matches("FORWARDED \\d+ linkUps 2 oversize 0 .*failure null"), inboundCounters);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKilledInboundBridgeRestartsAndTheStreamResumesWithoutGarbage() throws Exception
    {
        final long count = 300_000;
        // MPSC: the restarted bridge's publisher attaches while the dead one's slot is still being cleared
        createChannels(ChannelConfig.mpsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = start("subscriber", SubscriberMain.class,
            dirB.toString(), "dst", Long.toString(count - 1), "50000", "90");
        subscriber.awaitLine("SUBSCRIBED");
        final ChildJvm inbound = start("inbound", BridgeMain.class, "in", dirB.toString(), "dst", uri, "" + STREAM);
        final Path killedDriver = Path.of(inbound.awaitLine("BRIDGE UP ").substring("BRIDGE UP ".length()));
        final ChildJvm outbound = start("outbound", BridgeMain.class, "out", dirA.toString(), "src", uri, "" + STREAM);
        outbound.awaitLine("BRIDGE UP");
        start("publisher", PublisherMain.class, dirA.toString(), "src", "" + count, "5");

        subscriber.awaitLine("RECEIVED 50000");
        inbound.kill(); // SIGKILL mid-stream
        final ChildJvm restarted = start("inbound-2", BridgeMain.class, "in", dirB.toString(), "dst", uri,
            "" + STREAM);
        restarted.awaitLine("BRIDGE UP");

        final String doneLine = subscriber.awaitLine("DONE");
        final Matcher done = DONE.matcher(doneLine);
        assertTrue(done.matches(), doneLine);
        final long received = Long.parseLong(done.group(1));
        final long missing = Long.parseLong(done.group(3));
        assertEquals(count, received + missing, "every sequence is either received or counted as missing");
        assertTrue(received > 50_000, "the stream did not resume after the restart");
        assertEquals(0, subscriber.waitFor(10));
        System.out.println("kill -9 of the inbound bridge: " + doneLine);

        restarted.sendLine("stop");
        final String forwarded = restarted.awaitLine("FORWARDED");
        assertTrue(forwarded.matches("FORWARDED [1-9]\\d* linkUps 1 oversize 0 .*failure null"), forwarded);
        outbound.sendLine("stop");
        assertTrue(outbound.awaitLine("FORWARDED").endsWith("failure null"));

        // the killed bridge's driver directory is left behind, and cleaned as stale
        assertTrue(Files.isDirectory(killedDriver), killedDriver + " is gone already");
        assertEquals(List.of(killedDriver), AeronBridge.cleanStaleDrivers(dirB));
    }
}
