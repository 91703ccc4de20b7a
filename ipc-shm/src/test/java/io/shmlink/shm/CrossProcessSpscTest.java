package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.ClaimAndHaltMain;
import io.shmlink.shm.testing.CreationRaceMain;
import io.shmlink.shm.testing.HaltingSubscriberMain;
import io.shmlink.shm.testing.MessageStream;
import io.shmlink.shm.testing.StreamPublisherMain;
import io.shmlink.shm.testing.StreamVerifier;
import io.shmlink.shm.testing.StreamVerifierMain;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPSC channels between real JVMs: every byte checked, and recovery from processes killed at the worst moments.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrossProcessSpscTest
{
    private static final int MESSAGES = 1_000_000;
    private static final long SEED = 0x5EEDL;

    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-test-", new ShmRegistry.Options().claimTimeout(Duration.ofSeconds(30)));

    @Test
    void aChildPublishesAMillionMessagesAndTheParentChecksEveryByte() throws Exception
    {
        shm.registry().create("c2p", ChannelConfig.spsc(1 << 16));
        final Subscriber subscriber = shm.registry().subscriber("c2p");
        try (ChildJvm child = ChildJvm.start(StreamPublisherMain.class,
            shm.directory().toString(), "c2p", Integer.toString(MESSAGES), Long.toString(SEED), "offer"))
        {
            final StreamVerifier verifier = new StreamVerifier(new MessageStream(SEED, (1 << 16) / 8), 0);
            verifier.receive(subscriber, MESSAGES, 120_000);
            assertNull(verifier.failure());
            assertEquals(MESSAGES, verifier.next());
            assertEquals("DONE", child.awaitLine("DONE"));
            assertEquals(0, child.waitFor(30));
            assertEquals(0, subscriber.poll((b, o, l) -> fail("nothing after the last message"), 10));
        }
    }

    @Test
    void theParentPublishesAMillionClaimsAndAChildChecksEveryByte() throws Exception
    {
        shm.registry().create("p2c", ChannelConfig.spsc(1 << 16));
        final Publisher publisher = shm.registry().publisher("p2c");
        try (ChildJvm child = ChildJvm.start(StreamVerifierMain.class,
            shm.directory().toString(), "p2c", Integer.toString(MESSAGES), Long.toString(SEED)))
        {
            assertEquals("ATTACHED", child.readLine());
            StreamPublisherMain.publish(publisher, new MessageStream(SEED, publisher.maxMessageLength()), 0,
                MESSAGES, true);
            assertEquals("OK " + MESSAGES, child.readLine());
            assertEquals(0, child.waitFor(30));
        }
    }

    @Test
    void fourJvmsRacingToOpenOrCreateAllEndOnOneFullyInitialisedChannel() throws Exception
    {
        final int parties = 4;
        final int rounds = 20;
        final Path barrierFile = shm.directory().resolve(".barrier");
        IoUtil.unmap(IoUtil.mapNewFile(barrierFile.toFile(), 4096));
        final List<ChildJvm> children = new ArrayList<>();
        try
        {
            for (int i = 0; i < parties; i++)
            {
                children.add(ChildJvm.start(CreationRaceMain.class,
                    shm.directory().toString(), barrierFile.toString(), Integer.toString(parties),
                    Integer.toString(rounds)));
            }
            final List<Set<String>> creators = new ArrayList<>();
            for (int round = 0; round < rounds; round++)
            {
                creators.add(new HashSet<>());
            }
            for (final ChildJvm child : children)
            {
                for (int round = 0; round < rounds; round++)
                {
                    final String[] line = child.readLine().split(" ");
                    assertEquals("ROUND", line[0]);
                    assertEquals(round, Integer.parseInt(line[1]));
                    creators.get(round).add(line[2] + "@" + line[3]);
                }
                assertEquals(0, child.waitFor(60));
            }
            for (int round = 0; round < rounds; round++)
            {
                assertEquals(1, creators.get(round).size(), "round " + round + " saw one segment: " +
                    creators.get(round));
                final String name = "race-" + round;
                assertEquals(ChannelConfig.mpsc(1 << 16),
                    ChannelSegment.describe(shm.directory().resolve(name), name, ProcessToken::partyInfo).config());
            }
            try (Stream<Path> files = Files.list(shm.directory()))
            {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                    .filter(ChannelSegment::isCreationDebris).toList(), "no temporary files left");
            }
        }
        finally
        {
            for (final ChildJvm child : children)
            {
                child.close();
            }
        }
    }

    @Test
    void aPublisherKilledBetweenClaimAndCommitLosesOnlyThatClaim() throws Exception
    {
        final int committed = 1000;
        shm.registry().create("crash", ChannelConfig.spsc(1 << 16));
        final ShmSubscriber subscriber = shm.registry().subscriber("crash");
        final MessageStream stream = new MessageStream(SEED, (1 << 16) / 8);
        try (ChildJvm child = ChildJvm.start(ClaimAndHaltMain.class,
            shm.directory().toString(), "crash", Integer.toString(committed), Long.toString(SEED)))
        {
            final StreamVerifier verifier = new StreamVerifier(stream, 0);
            verifier.receive(subscriber, committed, 60_000);
            assertNull(verifier.failure());
            assertEquals("CLAIMED", child.awaitLine("CLAIMED"));
            assertEquals(0, child.waitFor(30));
        }
        // A new publisher takes over the dead one's slot; its messages queue behind the dead claim, which the
        // subscriber skips at once because the claimer is dead (the claim timeout here is 30 s).
        final Publisher successor = shm.registry().publisher("crash");
        final long start = System.nanoTime();
        final Thread publishing = new Thread(
            () -> StreamPublisherMain.publish(successor, new MessageStream(SEED, (1 << 16) / 8), committed,
                committed + 500, false));
        publishing.start();
        final StreamVerifier verifier = new StreamVerifier(stream, committed);
        verifier.receive(subscriber, committed + 500, 20_000);
        publishing.join();
        assertNull(verifier.failure());
        assertEquals(1, subscriber.lostClaims());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "recovered without the timeout");
    }

    @Test
    void aSubscriberKilledInsidePollLeavesThatBatchForItsSuccessorAndLosesNothing() throws Exception
    {
        shm.registry().create("subcrash", ChannelConfig.spsc(1 << 16));
        final Publisher publisher = shm.registry().publisher("subcrash");
        final MessageStream stream = new MessageStream(SEED, 256);
        StreamPublisherMain.publish(publisher, stream, 0, 100, false);
        try (ChildJvm child = ChildJvm.start(HaltingSubscriberMain.class,
            shm.directory().toString(), "subcrash", Long.toString(SEED), "256", "10", "25"))
        {
            for (int seq = 0; seq < 25; seq++)
            {
                assertEquals("GOT " + seq, child.readLine());
            }
            assertEquals(0, child.waitFor(30));
        }
        final long deathNoticed = System.nanoTime();
        final org.agrona.concurrent.UnsafeBuffer one = new org.agrona.concurrent.UnsafeBuffer(new byte[1]);
        while (publisher.offer(one, 0, 0) != Publisher.NOT_CONNECTED)
        {
            assertTrue(System.nanoTime() - deathNoticed < Duration.ofSeconds(1).toNanos(),
                "the publisher sees the dead subscriber within 1 s");
            Thread.onSpinWait();
        }
        final Subscriber successor = shm.registry().subscriber("subcrash");
        final StreamVerifier verifier = new StreamVerifier(stream, 20);
        verifier.receive(successor, 100, 20_000);
        assertNull(verifier.failure(), "the successor starts at the dead poll's batch (seq 20) and gets all");
        assertTrue(publisher.offer(one, 0, 1) > 0, "connected again");
    }
}
