package io.shmlink.shm;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.LostClaimInfo;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TaggedClaimAndHaltMain;
import io.shmlink.shm.testing.TaggedMessages;
import io.shmlink.shm.testing.TaggedPublisherMain;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * MPSC channels with publishers in many JVMs and threads, and publishers killed at any moment.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrossProcessMpscTest
{
    private static final int MAX_LENGTH = 1024;
    private static final ChannelConfig CONFIG = new ChannelConfig(ChannelMode.MPSC, 1 << 18, MAX_LENGTH);

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-mpsc-test-");

    @BeforeEach
    void setUp()
    {
        shm.registry().create("mpsc", CONFIG);
    }

    /** Polls until the condition holds; fails on a verifier failure or after the deadline. */
    private static void pollUntil(
        final Subscriber subscriber, final TaggedMessages.Verifier verifier, final BooleanSupplier done,
        final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.getAsBoolean())
        {
            assertNull(verifier.failure());
            if (subscriber.poll(verifier, 256) == 0)
            {
                assertTrue(System.nanoTime() < deadline, "timed out");
                Thread.yield();
            }
        }
        assertNull(verifier.failure());
    }

    @Test
    void fourPublisherJvmsInterleaveAMillionMessagesWithPerPublisherOrderAndEveryByteIntact() throws Exception
    {
        final int publishers = 4;
        final int each = 250_000;
        final ShmSubscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, publishers);
        final List<ChildJvm> children = new ArrayList<>();
        try
        {
            for (int id = 0; id < publishers; id++)
            {
                children.add(ChildJvm.start(TaggedPublisherMain.class,
                    shm.directory().toString(), "mpsc", Integer.toString(id), Integer.toString(each), "50000"));
            }
            pollUntil(subscriber, verifier, () ->
            {
                for (int id = 0; id < publishers; id++)
                {
                    if (verifier.received(id) < each)
                    {
                        return false;
                    }
                }
                return true;
            }, 200_000);
            for (final ChildJvm child : children)
            {
                assertEquals("DONE", child.awaitLine("DONE"));
                assertEquals(0, child.waitFor(30));
            }
        }
        finally
        {
            children.forEach(ChildJvm::close);
        }
        assertEquals((long)publishers * each, verifier.total(), "nothing duplicated, nothing extra");
        assertEquals(0, subscriber.poll(verifier, 10));
        assertEquals(0, subscriber.lostClaims());
    }

    @Test
    void fourThreadsSharingOnePublisherKeepPerThreadOrder() throws Exception
    {
        final int threads = 4;
        final int each = 100_000;
        final Publisher publisher = shm.registry().publisher("mpsc");
        final Subscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, threads);
        final List<Thread> workers = new ArrayList<>();
        final AtomicBoolean stuck = new AtomicBoolean();
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            workers.add(new Thread(() ->
            {
                final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
                final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
                final BufferClaim claim = new BufferClaim();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                for (long seq = 0; seq < each && !stuck.get(); seq++)
                {
                    final int length = messages.length(id, seq);
                    if ((seq & 1) == 0)
                    {
                        messages.write(id, seq, scratch, 0);
                        while (publisher.offer(scratch, 0, length) < 0 && !stuck.get())
                        {
                            stuck.set(System.nanoTime() > deadline);
                            Thread.yield();
                        }
                    }
                    else
                    {
                        while (publisher.tryClaim(length, claim) < 0 && !stuck.get())
                        {
                            stuck.set(System.nanoTime() > deadline);
                            Thread.yield();
                        }
                        messages.write(id, seq, claim.buffer(), claim.offset());
                        claim.commit();
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        pollUntil(subscriber, verifier, () ->
        {
            for (int id = 0; id < threads; id++)
            {
                if (verifier.received(id) < each)
                {
                    return stuck.get();
                }
            }
            return true;
        }, 150_000);
        for (final Thread worker : workers)
        {
            worker.join();
        }
        assertFalse(stuck.get(), "publishers made progress");
        assertEquals((long)threads * each, verifier.total());
    }

    @Test
    void aPublisherHaltedBetweenClaimAndCommitCostsOneLostClaimAndAShortStall() throws Exception
    {
        final int live = 100_000;
        final int beforeHalt = 500;
        final ShmSubscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, 2);
        final long[] lastDelivery = {System.nanoTime()};
        final long[] longestGap = {0};
        final io.shmlink.api.MessageHandler timed = (buffer, offset, length) ->
        {
            final long now = System.nanoTime();
            longestGap[0] = Math.max(longestGap[0], now - lastDelivery[0]);
            lastDelivery[0] = now;
            verifier.onMessage(buffer, offset, length);
        };
        final long crasherPid;
        try (ChildJvm livePublisher = ChildJvm.start(TaggedPublisherMain.class,
                shm.directory().toString(), "mpsc", "0", Integer.toString(live), "1000");
            ChildJvm crasher = ChildJvm.start(TaggedClaimAndHaltMain.class,
                shm.directory().toString(), "mpsc", "1", Integer.toString(beforeHalt)))
        {
            livePublisher.awaitLine("ATTACHED");
            lastDelivery[0] = System.nanoTime();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (verifier.received(0) < live || verifier.received(1) < beforeHalt)
            {
                assertNull(verifier.failure());
                if (subscriber.poll(timed, 256) == 0)
                {
                    assertTrue(System.nanoTime() < deadline, "timed out");
                    Thread.yield();
                }
            }
            assertEquals("CLAIMED", crasher.awaitLine("CLAIMED"));
            crasherPid = crasher.pid();
            assertEquals(0, crasher.waitFor(30));
            assertEquals("DONE", livePublisher.awaitLine("DONE"));
            while (subscriber.lostClaims() == 0)
            {
                assertTrue(System.nanoTime() < deadline, "the dead claim was never skipped");
                subscriber.poll(timed, 256);
                Thread.yield();
            }
        }
        assertNull(verifier.failure());
        assertEquals(1, subscriber.lostClaims());
        assertEquals(live + beforeHalt, verifier.total(), "nothing of the dead claim was delivered");
        assertTrue(longestGap[0] < Duration.ofMillis(1500).toNanos(),
            "longest stall " + longestGap[0] / 1_000_000 + " ms is within the 1 s timeout plus slack");
        final LostClaimInfo lost = subscriber.lastLostClaim();
        assertNotNull(lost, "the lost claim is written down");
        assertEquals(crasherPid, lost.pid(), "the halted publisher's process is named");
        assertNotEquals(0, lost.session());
        assertTrue(lost.length() >= RecordDescriptor.HEADER_LENGTH, lost::toString);
        assertEquals(lost, shm.registry().lookup("mpsc").orElseThrow().lastLostClaim(), "any process reads the same");
    }

    @Test
    void publisherJvmsKilledAtRandomMomentsLoseNoCommittedMessage() throws Exception
    {
        final int rounds = 10;
        final int parentId = rounds;
        final ShmSubscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, rounds + 1);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread polling = new Thread(() ->
        {
            while (!stop.get())
            {
                if (subscriber.poll(verifier, 256) == 0)
                {
                    Thread.yield();
                }
            }
        });
        polling.start();
        final Publisher parent = shm.registry().publisher("mpsc");
        final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
        final SplittableRandom random = new SplittableRandom(42);
        final long[] committed = new long[rounds];
        long parentSeq = 0;
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                try (ChildJvm child = ChildJvm.start(TaggedPublisherMain.class,
                    shm.directory().toString(), "mpsc", Integer.toString(round), "100000000", "500"))
                {
                    final int waitFor = 1 + random.nextInt(4);
                    for (int i = 0; i < waitFor; i++)
                    {
                        committed[round] = Long.parseLong(child.awaitLine("COMMITTED ").substring(10));
                    }
                    child.kill();
                }
                for (int i = 0; i < 200; i++, parentSeq++)
                {
                    final int length = messages.write(parentId, parentSeq, scratch, 0);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (parent.offer(scratch, 0, length) < 0)
                    {
                        assertTrue(System.nanoTime() < deadline, "the channel is wedged after round " + round);
                        Thread.yield();
                    }
                }
            }
            final long expectedParent = parentSeq;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (verifier.received(parentId) < expectedParent && verifier.failure() == null)
            {
                assertTrue(System.nanoTime() < deadline, "parent messages never all arrived");
                Thread.yield();
            }
        }
        finally
        {
            stop.set(true);
            polling.join();
        }
        assertNull(verifier.failure(), "no garbage, no gap, no duplicate");
        assertEquals(parentSeq, verifier.received(parentId));
        for (int round = 0; round < rounds; round++)
        {
            assertTrue(verifier.received(round) >= committed[round], "round " + round + ": " +
                verifier.received(round) + " delivered, " + committed[round] + " reported committed");
        }
        assertTrue(subscriber.lostClaims() <= rounds, "at most one lost claim per kill");
    }

    @Test
    void aSubscriberAsleepInABlockingPollSkipsAHaltedClaimWithinTheTimeout() throws Exception
    {
        // A sleeping subscriber polls once per 10 ms doorbell sleep; left to the poll's own count of 256 empty
        // polls per stall check, the three checks of a skip would take seconds (3.4 s when that was so).
        final int beforeHalt = 100;
        final ShmSubscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, 2);
        try (ChildJvm crasher = ChildJvm.start(TaggedClaimAndHaltMain.class,
            shm.directory().toString(), "mpsc", "1", Integer.toString(beforeHalt)))
        {
            assertEquals("CLAIMED", crasher.awaitLine("CLAIMED"));
            assertEquals(0, crasher.waitFor(30));
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (verifier.received(1) < beforeHalt)
        {
            subscriber.poll(verifier, 256, 1, TimeUnit.SECONDS);
            assertNull(verifier.failure());
            assertTrue(System.nanoTime() < deadline, "timed out");
        }
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_LENGTH]);
        final int length = new TaggedMessages(MAX_LENGTH).write(0, 0, message, 0);
        assertTrue(shm.registry().publisher("mpsc").offer(message, 0, length) > 0, "lands behind the halted claim");

        final long start = System.nanoTime();
        final int delivered = subscriber.poll(verifier, 10, 20, TimeUnit.SECONDS);
        final long waited = System.nanoTime() - start;

        assertNull(verifier.failure());
        assertEquals(1, delivered);
        assertEquals(1, verifier.received(0), "the message behind the halted claim");
        assertEquals(1, subscriber.lostClaims());
        assertTrue(waited < Duration.ofMillis(1500).toNanos(),
            "one blocking poll waited " + waited / 1_000_000 + " ms: within the 1 s timeout plus slack");
    }

    @Test
    void aLostClaimNamesItsDeadPublisherEvenWhenAnotherPublisherAttachedBeforeTheSkip() throws Exception
    {
        final int beforeHalt = 10;
        final ShmSubscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, 2);
        final long crasherPid;
        try (ChildJvm crasher = ChildJvm.start(TaggedClaimAndHaltMain.class,
            shm.directory().toString(), "mpsc", "1", Integer.toString(beforeHalt)))
        {
            assertEquals("CLAIMED", crasher.awaitLine("CLAIMED"));
            crasherPid = crasher.pid();
            assertEquals(0, crasher.waitFor(30));
        }
        // attaches while the dead publisher's claim still waits: it must not take the dead one's slot and name
        final Publisher successor = shm.registry().publisher("mpsc");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_LENGTH]);
        final int length = new TaggedMessages(MAX_LENGTH).write(0, 0, message, 0);
        assertTrue(successor.offer(message, 0, length) > 0);

        pollUntil(subscriber, verifier, () -> verifier.received(0) == 1, 30_000);

        assertEquals(beforeHalt, verifier.received(1));
        assertEquals(1, subscriber.lostClaims());
        assertEquals(crasherPid, subscriber.lastLostClaim().pid(), subscriber.lastLostClaim()::toString);
    }

    @Test
    void aGarbageRecordLengthInAnMpscRingIsCorrupt()
    {
        final Publisher publisher = shm.registry().publisher("mpsc");
        final Subscriber subscriber = shm.registry().subscriber("mpsc");
        assertTrue(publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0);
        SegmentEditor.edit(shm.directory().resolve("mpsc"),
            b -> b.putInt(SegmentDescriptor.RING_OFFSET, Integer.MAX_VALUE));
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
            () -> subscriber.poll((buffer, offset, length) -> fail("garbage delivered"), 10));
        assertTrue(ex.getMessage().contains("record length"), ex.getMessage());
        assertTrue(ex.getMessage().contains("mpsc"), ex.getMessage());
    }

    @Test
    void aGarbageNegativeClaimLengthIsCorruptWhenTheSubscriberTriesToSkipIt()
    {
        shm.reopen(new ShmRegistry.Options().claimTimeout(Duration.ZERO));
        final Publisher publisher = shm.registry().publisher("mpsc");
        final Subscriber subscriber = shm.registry().subscriber("mpsc");
        assertTrue(publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0);
        SegmentEditor.edit(shm.directory().resolve("mpsc"), b -> b.putInt(SegmentDescriptor.RING_OFFSET, -(1 << 30)));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class, () ->
        {
            while (System.nanoTime() < deadline)
            {
                subscriber.poll((buffer, offset, length) -> fail("garbage delivered"), 10);
            }
        });
        assertTrue(ex.getMessage().contains("record length"), ex.getMessage());
    }
}
