package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /**
     * The flow's four children, started by {@link #start}.
     *
     * @param uri        where the bridges meet: a free UDP port on 127.0.0.1.
     * @param subscriber the subscriber on {@code dst}.
     * @param inbound    the inbound bridge.
     * @param outbound   the outbound bridge.
     * @param publisher  the publisher on {@code src}, sending.
     */
    private record Stages(String uri, ChildJvm subscriber, ChildJvm inbound, ChildJvm outbound, ChildJvm publisher)
    {
    }

    /**
     * Creates the channels and starts the subscriber (waiting up to 90 s), both bridges and the publisher.
     *
     * @param destination       the configuration of {@code dst}.
     * @param count             how many messages the publisher sends and the subscriber waits for.
     * @param milestone         every how many messages the subscriber prints {@code RECEIVED n}.
     * @param seed              of the messages' random lengths.
     * @param subscriberOptions further arguments of the subscriber.
     */
    private Stages start(final ChannelConfig destination, final long count, final long milestone, final long seed,
        final String... subscriberOptions) throws IOException
    {
        flow.createChannels(destination);
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final ChildJvm subscriber = flow.subscriber(count - 1, milestone, 90, subscriberOptions);
        final ChildJvm inbound = flow.inbound("inbound", uri, STREAM);
        final ChildJvm outbound = flow.outbound("outbound", uri, STREAM);
        return new Stages(uri, subscriber, inbound, outbound, flow.publisher(count, seed));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionRandomLengthMessagesArriveInOrderOnceAcrossFourJvms() throws Exception
    {
        final long count = 1_000_000;
        final Stages stages = start(ChannelConfig.spsc(1 << 20), count, 250_000, 21);
        stages.publisher().awaitLine("SENT");

        final CrossProcessFlow.Done done = CrossProcessFlow.awaitDone(stages.subscriber());
        assertEquals(count, done.received());
        assertEquals(0, done.gaps(), "gaps");
        assertEquals(0, stages.subscriber().waitFor(10));
        assertEquals(0, stages.publisher().waitFor(10));

        for (final ChildJvm bridge : List.of(stages.inbound(), stages.outbound()))
        {
            bridge.sendLine("stop");
        }
        for (final ChildJvm bridge : List.of(stages.inbound(), stages.outbound()))
        {
            assertTrue(bridge.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
        }
        for (final ChildJvm bridge : List.of(stages.inbound(), stages.outbound()))
        {
            assertEquals(0, bridge.waitFor(10));
        }
        try (var files = Files.list(flow.dirA()))
        {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".aeron-")),
                "an embedded driver's directory outlived its bridge");
        }
    }

    @Test
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
        final Stages stages = start(ChannelConfig.spsc(1 << 20), count, 50_000, 9, "repeats");

        stages.subscriber().awaitLine("RECEIVED 50000");
        stages.outbound().kill(); // SIGKILL mid-stream: its embedded driver dies with it
        final ChildJvm restarted = flow.outbound("outbound-2", stages.uri(), STREAM);

        final CrossProcessFlow.Done done = CrossProcessFlow.awaitDone(stages.subscriber());
        assertEquals(count, done.received() - done.repeats() + done.missing(),
            "every sequence is received or counted as missing");
        assertTrue(done.repeats() <= 64,
            "more repeats than one poll of the local channel hands over: " + done.repeats());
        assertEquals(0, stages.subscriber().waitFor(10));
        System.out.println("kill -9 of the outbound bridge: " + done.line());

        restarted.sendLine("stop");
        assertTrue(restarted.awaitLine("FORWARDED").endsWith("failure null"));
        stages.inbound().sendLine("stop");
        final String inboundCounters = stages.inbound().awaitLine("FORWARDED");
        assertTrue(inboundCounters.matches("FORWARDED \\d+ linkUps 2 oversize 0 .*failure null"), inboundCounters);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKilledInboundBridgeRestartsAndTheStreamResumesWithoutGarbage() throws Exception
    {
        final long count = 300_000;
        // MPSC: the restarted bridge's publisher attaches while the dead one's slot is still being cleared
        final Stages stages = start(ChannelConfig.mpsc(1 << 20), count, 50_000, 5);
        final Path killedDriver = flow.driverDirectory(stages.inbound());

        stages.subscriber().awaitLine("RECEIVED 50000");
        stages.inbound().kill(); // SIGKILL mid-stream
        final ChildJvm restarted = flow.inbound("inbound-2", stages.uri(), STREAM);

        final CrossProcessFlow.Done done = CrossProcessFlow.awaitDone(stages.subscriber());
        assertEquals(count, done.received() + done.missing(),
            "every sequence is either received or counted as missing");
        assertTrue(done.received() > 50_000, "the stream did not resume after the restart");
        assertEquals(0, stages.subscriber().waitFor(10));
        System.out.println("kill -9 of the inbound bridge: " + done.line());

        restarted.sendLine("stop");
        final String forwarded = restarted.awaitLine("FORWARDED");
        assertTrue(forwarded.matches("FORWARDED [1-9]\\d* linkUps 1 oversize 0 .*failure null"), forwarded);
        stages.outbound().sendLine("stop");
        assertTrue(stages.outbound().awaitLine("FORWARDED").endsWith("failure null"));

        // the killed bridge's driver directory is left behind, and cleaned as stale
        assertTrue(Files.isDirectory(killedDriver), killedDriver + " is gone already");
        assertEquals(List.of(killedDriver), AeronBridge.cleanStaleDrivers(flow.dirB()));
    }
}
