package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flow, one JVM per stage: publisher -> local channel -> outbound bridge -> UDP on 127.0.0.1 ->
 * inbound bridge -> second registry directory -> subscriber.
 */
class CrossProcessBridgeTest
{
    private static final int STREAM = 11;

    @RegisterExtension
    final CrossProcessFlow flow = new CrossProcessFlow("aeron-x-");

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionRandomLengthMessagesArriveInOrderOnceAcrossFourJvms() throws Exception
    {
        final long count = 1_000_000;
        flow.createChannels(ChannelConfig.spsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = flow.subscriber(count - 1, 250_000, 90);
        final ChildJvm inbound = flow.inbound("inbound", uri, STREAM);
        final ChildJvm outbound = flow.outbound("outbound", uri, STREAM);
        final ChildJvm publisher = flow.publisher(count, 21);
        publisher.awaitLine("SENT");

        final Matcher done = CrossProcessFlow.awaitDone(subscriber);
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
        try (var files = Files.list(flow.dirA()))
        {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".aeron-")),
                "an embedded driver's directory outlived its bridge");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBridgeLeftOpenDoesNotKeepItsJvmAlive() throws Exception
    {
        final ChildJvm child = flow.start(List.of(), "unclosed", UnclosedBridgeMain.class, flow.dirB().toString(),
            TestMessages.udp(TestMessages.freeUdpPort()));
        assertEquals("BRIDGE UP true", child.awaitLine("BRIDGE UP"));
        assertEquals(0, child.waitFor(30), "a JVM with an unclosed bridge did not exit by itself");
        // its embedded driver's directory is left behind, for cleanStaleDrivers
        assertEquals(1, AeronBridge.cleanStaleDrivers(flow.dirB()).size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKilledOutboundBridgeRestartsWhereItStoppedRepeatingAtMostItsLastPoll() throws Exception
    {
        final long count = 300_000;
        flow.createChannels(ChannelConfig.spsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = flow.subscriber(count - 1, 50_000, 90, "repeats");
        final ChildJvm inbound = flow.inbound("inbound", uri, STREAM);
        final ChildJvm outbound = flow.outbound("outbound", uri, STREAM);
        flow.publisher(count, 9);

        subscriber.awaitLine("RECEIVED 50000");
        outbound.kill(); // SIGKILL mid-stream: its embedded driver dies with it
        final ChildJvm restarted = flow.outbound("outbound-2", uri, STREAM);

        final Matcher done = CrossProcessFlow.awaitDone(subscriber);
        final long received = Long.parseLong(done.group(1));
        final long missing = Long.parseLong(done.group(3));
        final long repeats = Long.parseLong(done.group(4));
        assertEquals(count, received - repeats + missing, "every sequence is received or counted as missing");
        assertTrue(repeats <= 64, "more repeats than one poll of the local channel hands over: " + repeats);
        assertEquals(0, subscriber.waitFor(10));
        System.out.println("kill -9 of the outbound bridge: " + done.group());

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
        flow.createChannels(ChannelConfig.mpsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = flow.subscriber(count - 1, 50_000, 90);
        final ChildJvm inbound = flow.inbound("inbound", uri, STREAM);
        final Path killedDriver = flow.driverDirectory(inbound);
        final ChildJvm outbound = flow.outbound("outbound", uri, STREAM);
        flow.publisher(count, 5);

        subscriber.awaitLine("RECEIVED 50000");
        inbound.kill(); // SIGKILL mid-stream
        final ChildJvm restarted = flow.inbound("inbound-2", uri, STREAM);

        final Matcher done = CrossProcessFlow.awaitDone(subscriber);
        final long received = Long.parseLong(done.group(1));
        final long missing = Long.parseLong(done.group(3));
        assertEquals(count, received + missing, "every sequence is either received or counted as missing");
        assertTrue(received > 50_000, "the stream did not resume after the restart");
        assertEquals(0, subscriber.waitFor(10));
        System.out.println("kill -9 of the inbound bridge: " + done.group());

        restarted.sendLine("stop");
        final String forwarded = restarted.awaitLine("FORWARDED");
        assertTrue(forwarded.matches("FORWARDED [1-9]\\d* linkUps 1 oversize 0 .*failure null"), forwarded);
        outbound.sendLine("stop");
        assertTrue(outbound.awaitLine("FORWARDED").endsWith("failure null"));

        // the killed bridge's driver directory is left behind, and cleaned as stale
        assertTrue(Files.isDirectory(killedDriver), killedDriver + " is gone already");
        assertEquals(List.of(killedDriver), AeronBridge.cleanStaleDrivers(flow.dirB()));
    }
}
