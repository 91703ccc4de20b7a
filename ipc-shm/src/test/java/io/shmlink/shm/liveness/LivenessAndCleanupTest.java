package io.shmlink.shm.liveness;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.PartyInfo;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.CreationCrashes;
import io.shmlink.shm.testing.AttachAndWaitMain;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.CreateMain;
import io.shmlink.shm.testing.LogCapture;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.shmlink.shm.segment.SegmentDescriptor.MAX_PUBLISHERS;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.publisherSlotOffset;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Dead parties noticed in time, their slots and claims taken over or counted, and the debris of killed creations
 * and dead channels cleaned.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LivenessAndCleanupTest
{
    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-liveness-test-", new ShmRegistry.Options().cleanDebrisOnOpen(false));

    @Test
    void aPublisherSeesNotConnectedWithinOneSecondOfItsSubscriberBeingKilledAndRecovers() throws Exception
    {
        shm.registry().create("live", ChannelConfig.spsc(4096));
        final ShmPublisher publisher = shm.registry().publisher("live");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        try (ChildJvm child = AttachAndWaitMain.attached(shm.directory(), "live", "subscriber"))
        {
            assertTrue(publisher.isConnected());
            child.kill();
        }
        final long killed = System.nanoTime();
        long result;
        while ((result = publisher.offer(message, 0, 0)) != Publisher.NOT_CONNECTED)
        {
            assertTrue(result > 0 || result == Publisher.BACK_PRESSURED);
            assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(1), "noticed within 1 s");
            Thread.onSpinWait();
        }
        assertFalse(publisher.isConnected());
        final ShmSubscriber successor = shm.registry().subscriber("live");
        while (successor.poll((b, o, l) -> {}, 100) > 0)
        {
            // drain what was offered before the death was noticed
        }
        assertTrue(publisher.isConnected());
        assertTrue(publisher.offer(message, 0, 8) > 0, "the same publisher works again");
        final int[] length = {-1};
        assertEquals(1, successor.poll((b, o, l) -> length[0] = l, 100));
        assertEquals(8, length[0]);
    }

    @Test
    void aSubscriberSeesNoLivePublisherOnceItsPublisherIsKilled() throws Exception
    {
        shm.registry().create("pubdeath", ChannelConfig.mpsc(4096));
        final ShmSubscriber subscriber = shm.registry().subscriber("pubdeath");
        assertFalse(subscriber.hasLivePublisher());
        try (ChildJvm child = AttachAndWaitMain.attached(shm.directory(), "pubdeath", "publisher"))
        {
            assertTrue(subscriber.hasLivePublisher());
            final PartyInfo party = subscriber.channelInfo().publishers().get(0);
            assertEquals(child.pid(), party.pid());
            assertTrue(party.alive());
            child.kill();
        }
        assertFalse(subscriber.hasLivePublisher(), "a reaped process is dead at once");
        final ChannelInfo info = subscriber.channelInfo();
        assertEquals(1, info.publishers().size());
        assertFalse(info.publishers().get(0).alive());
    }

    @Test
    void aNewMpscPublisherTakesAFreeSlotBeforeADeadPublishersSoTheDeadOneStaysNamed() throws Exception
    {
        shm.registry().create("keepdead", ChannelConfig.mpsc(4096));
        final long deadPid;
        try (ChildJvm child = AttachAndWaitMain.attached(shm.directory(), "keepdead", "publisher"))
        {
            deadPid = child.pid();
            child.kill();
        }

        try (Publisher successor = shm.registry().publisher("keepdead"))
        {
            final List<PartyInfo> publishers = shm.registry().lookup("keepdead").orElseThrow().publishers();
            assertEquals(2, publishers.size(), publishers::toString);
            assertEquals(deadPid, publishers.get(0).pid());
            assertFalse(publishers.get(0).alive());
            assertEquals(ProcessHandle.current().pid(), publishers.get(1).pid());
            assertTrue(publishers.get(1).alive());
        }
    }

    @Test
    void aJvmKilledAtAnyCreationStepLeavesNothingThatBlocksTheNextOpenOrCreate() throws Exception
    {
        for (final String step : List.of("temp-created", "sized", "header-written", "ready", "linked"))
        {
            final String name = "crash-" + step;
            try (ChildJvm child = ChildJvm.start(
                List.of("-D" + CreationCrashes.STEP_PROPERTY + "=" + step), CreateMain.class,
                shm.directory().toString(), name))
            {
                assertEquals(137, child.waitFor(30), step + ": the child halted at the step");
            }
            final List<String> debris = shm.fileNames(ChannelSegment::isCreationDebris);
            assertEquals(1, debris.size(), step + ": the temporary file is left: " + debris);
            final ChannelInfo info = shm.registry().openOrCreate(name, ChannelConfig.mpsc(1 << 16));
            assertEquals(ChannelConfig.mpsc(1 << 16), info.config(), step);
            try (Publisher publisher = shm.registry().publisher(name))
            {
                assertTrue(publisher.offer(new UnsafeBuffer(new byte[4]), 0, 4) > 0, step + ": usable");
            }
            assertTrue(shm.registry().cleanStale() >= 1, step + ": debris removed");
            assertEquals(List.of(), shm.fileNames(ChannelSegment::isCreationDebris), step);
            assertTrue(shm.registry().lookup(name).isPresent(), step + ": the channel itself stays");
        }
    }

    @Test
    void openingARegistryRemovesDebrisOfDeadCreatorsByDefault() throws Exception
    {
        try (ChildJvm child = ChildJvm.start(
            List.of("-D" + CreationCrashes.STEP_PROPERTY + "=sized"), CreateMain.class,
            shm.directory().toString(), "half"))
        {
            assertEquals(137, child.waitFor(30));
        }
        assertEquals(1, shm.fileNames(ChannelSegment::isCreationDebris).size());
        ShmRegistry.open(shm.directory()).close();
        assertEquals(List.of(), shm.fileNames(ChannelSegment::isCreationDebris));
    }

    @Test
    void cleanStaleRemovesChannelsWhosePartiesAndCreatorAreDeadAndKeepsTheRest() throws Exception
    {
        shm.reopen(new ShmRegistry.Options().staleGrace(Duration.ZERO));
        try (ChildJvm child = AttachAndWaitMain.createdAndAttached(shm.directory(), "orphan", "publisher"))
        {
            assertEquals(0, shm.registry().cleanStale(), "kept while its publisher lives");
            child.kill();
        }
        shm.registry().create("mine", ChannelConfig.spsc(4096));
        assertEquals(2, shm.registry().cleanStale(), "the orphan channel and its dead publisher's alive file");
        assertTrue(shm.registry().lookup("orphan").isEmpty());
        assertTrue(shm.registry().lookup("mine").isPresent(), "its creator (this JVM) lives");
    }

    @Test
    void aChannelNobodyEverAttachedToHasItsOwnGraceAndCleaningNamesWhatItRemoves() throws Exception
    {
        for (final String name : List.of("ahead", "used"))
        {
            try (ChildJvm child = ChildJvm.start(CreateMain.class, shm.directory().toString(), name))
            {
                assertEquals("CREATED", child.readLine());
                assertEquals(0, child.waitFor(30), "the creator has exited");
            }
        }
        shm.registry().publisher("used").close(); // attached once: its slot now says DETACHED, not NONE
        final long detachedAt = System.currentTimeMillis();
        while (System.currentTimeMillis() <= detachedAt)
        {
            Thread.onSpinWait(); // idle for longer than a zero grace: its last heartbeat is in an earlier millisecond
        }
        shm.reopen(new ShmRegistry.Options().staleGrace(Duration.ZERO));

        assertEquals(List.of(shm.directory().resolve("used")), shm.registry().findStale(),
            "only the channel that was used");
        assertTrue(shm.registry().lookup("used").isPresent(), "a dry run removes nothing");
        assertEquals(List.of(shm.directory().resolve("used")), shm.registry().removeStale());
        assertTrue(shm.registry().lookup("used").isEmpty());
        assertTrue(shm.registry().lookup("ahead").isPresent(), "made ahead of its users: within the unattached grace");

        shm.reopen(new ShmRegistry.Options().staleGrace(Duration.ZERO)
            .unattachedGrace(Duration.ZERO));
        assertEquals(List.of(shm.directory().resolve("ahead")), shm.registry().removeStale(),
            "its creator is dead, past the grace");
    }

    @Test
    void cleanStaleKeepsADeadChannelUntilTheGracePeriodHasPassed() throws Exception
    {
        shm.reopen(new ShmRegistry.Options().staleGrace(Duration.ofHours(1)));
        try (ChildJvm child = AttachAndWaitMain.createdAndAttached(shm.directory(), "recent", "subscriber"))
        {
            child.kill();
        }
        assertEquals(1, shm.registry().cleanStale(), "the dead subscriber's alive file only");
        assertTrue(shm.registry().lookup("recent").isPresent());
    }

    @Test
    void keepAliveRefreshesTheHeartbeat() throws Exception
    {
        shm.registry().create("hb", ChannelConfig.mpsc(4096));
        final ShmPublisher publisher = shm.registry().publisher("hb");
        final long before = publisher.channelInfo().publishers().get(0).lastHeartbeatMillis();
        final long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() <= before)
        {
            assertTrue(System.currentTimeMillis() < deadline);
            Thread.onSpinWait();
        }
        publisher.keepAlive();
        assertTrue(publisher.channelInfo().publishers().get(0).lastHeartbeatMillis() > before);
    }

    @Test
    void aDeadClaimIsCountedInTheChannelInfo()
    {
        shm.registry().create("lost", ChannelConfig.spsc(4096));
        final Publisher publisher = shm.registry().publisher("lost");
        final ShmSubscriber subscriber = shm.registry().subscriber("lost");
        final BufferClaim claim = new BufferClaim();
        assertTrue(publisher.tryClaim(16, claim) > 0);
        publisher.close(); // a closed publisher can never commit: its claim is dead
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (subscriber.lostClaims() == 0)
        {
            assertTrue(System.nanoTime() < deadline);
            subscriber.poll((b, o, l) -> fail("nothing committed"), 10);
        }
        assertEquals(1, shm.registry().lookup("lost").orElseThrow().lostClaims());
    }

    @Test
    void aLostClaimIsLoggedAsAWarningThatNamesTheChannelAndTheClaimersPid()
    {
        try (LogCapture log = LogCapture.of(ShmSubscriber.class);
            ShmRegistry quick = ShmRegistry.open(shm.directory().resolve("quick"),
                new ShmRegistry.Options().claimTimeout(Duration.ofMillis(50))))
        {
            quick.create("logged", ChannelConfig.spsc(4096));
            final ShmSubscriber subscriber = quick.subscriber("logged");
            final Publisher publisher = quick.publisher("logged");
            assertTrue(publisher.tryClaim(16, new BufferClaim()) > 0); // a live publisher that never commits
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (subscriber.lostClaims() == 0)
            {
                assertTrue(System.nanoTime() < deadline);
                subscriber.poll((b, o, l) -> fail("nothing committed"), 10);
            }

            assertEquals(1, log.records().size());
            assertEquals(Level.WARNING, log.records().get(0).getLevel());
            final String message = log.records().get(0).getMessage();
            assertTrue(message.startsWith("channel 'logged': skipped " + RecordDescriptor.recordLength(16) +
                " bytes at position 0 claimed by session "), message);
            assertTrue(message.contains("(pid " + ProcessHandle.current().pid() + ")"), message);
            assertEquals(ProcessHandle.current().pid(), subscriber.lastLostClaim().pid());
        }
    }

    /** Makes every publisher slot of an MPSC channel held by this live process but {@code deadSlot}, if any. */
    private void fillPublisherSlots(final Path file, final int deadSlot)
    {
        final long deadToken = (4_194_305L << 32) | 1; // started 1 ms after the epoch, and holds no alive file
        SegmentEditor.edit(file, header ->
        {
            for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
            {
                header.putLongVolatile(publisherSlotOffset(slot) + SLOT_TOKEN_OFFSET,
                    slot == deadSlot ? deadToken : ProcessToken.SELF);
            }
        });
    }

    @Test
    void aNewMpscPublisherTakesADeadPublishersSlotWhenNoSlotIsFree()
    {
        final Path file = shm.registry().create("crowded", ChannelConfig.mpsc(4096)).file();
        fillPublisherSlots(file, 50);

        try (Publisher publisher = shm.registry().publisher("crowded"))
        {
            final List<PartyInfo> publishers = shm.registry().lookup("crowded").orElseThrow().publishers();
            assertEquals(MAX_PUBLISHERS, publishers.size());
            assertTrue(publishers.stream().allMatch(PartyInfo::alive), "the dead one's slot was taken over");
        }
    }

    @Test
    void aNewMpscPublisherIsRefusedWhenEverySlotHoldsALivePublisher()
    {
        final Path file = shm.registry().create("full", ChannelConfig.mpsc(4096)).file();
        fillPublisherSlots(file, -1);

        final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> shm.registry().publisher("full"));
        assertTrue(ex.getMessage().contains(MAX_PUBLISHERS +
            " live publishers"), ex.getMessage());
    }
}
