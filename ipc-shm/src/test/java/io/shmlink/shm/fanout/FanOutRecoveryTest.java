package io.shmlink.shm.fanout;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.segment.FreeWord;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.AttachAndWaitMain;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TaggedMessages;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a fan-out channel does about claims nobody holds, subscribers held up by a claim, and cleanup: each test
 * fails without the recovery it names.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanOutRecoveryTest
{
    private static final int CAPACITY = 1 << 16;
    private static final int MAX_LENGTH = 256;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-fanout-recovery-", new ShmRegistry.Options()
        .claimTimeout(Duration.ofMillis(50)).staleGrace(Duration.ZERO).unattachedGrace(Duration.ZERO));

    /**
     * A claim made before a subscriber joined lies below where it starts, so no subscriber holds it. Publishers
     * must still not reuse its space while its claimer may write: they are held back a lap later, and once the
     * claim is committed they go on, and the subscriber receives every later message intact.
     */
    @ParameterizedTest
    @EnumSource(value = ChannelMode.class, names = {"SPMC", "MPMC"})
    void aClaimNoSubscriberSawIsNeverReusedWhileItsClaimerMayWrite(final ChannelMode mode)
    {
        shm.registry().create("fan", new ChannelConfig(mode, CAPACITY, MAX_LENGTH, 2));
        final ShmSubscriber early = shm.registry().subscriber("fan"); // so that the claim is not NOT_CONNECTED
        final ShmPublisher claimer = shm.registry().publisher("fan");
        final BufferClaim claim = new BufferClaim();
        assertTrue(claimer.tryClaim(MAX_LENGTH, claim) > 0);
        early.close();
        final ShmSubscriber late = shm.registry().subscriber("fan");
        final ShmPublisher sender = mode == ChannelMode.SPMC ? claimer : shm.registry().publisher("fan");
        final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, 1);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
        long seq = 0;
        int refusedInARow = 0;
        // three rings' worth, unless the open claim holds the sender back as it should
        for (long attempts = 0; attempts < 3L * CAPACITY / 24 && refusedInARow < 1000; attempts++)
        {
            final int length = messages.write(0, seq, scratch, 0);
            final long result = sender.offer(scratch, 0, length);
            if (result > 0)
            {
                seq++;
                refusedInARow = 0;
            }
            else
            {
                assertEquals(Publisher.BACK_PRESSURED, result);
                refusedInARow++;
            }
            late.poll(verifier, 100);
        }
        assertEquals(1000, refusedInARow, "the sender was held back at the open claim a lap on");
        // the claimer writes its whole record now, and lets go of it
        for (int i = 0; i < MAX_LENGTH; i++)
        {
            claim.buffer().putByte(claim.offset() + i, (byte)0x5A);
        }
        claim.commit();
        final long target = seq + 2L * CAPACITY / 24;
        while (seq < target)
        {
            final int length = messages.write(0, seq, scratch, 0);
            if (sender.offer(scratch, 0, length) > 0)
            {
                seq++;
            }
            late.poll(verifier, 100);
            assertNull(verifier.failure());
        }
        while (late.poll(verifier, 100) > 0)
        {
            assertNull(verifier.failure());
        }
        assertNull(verifier.failure());
        assertEquals(seq, verifier.received(0), "every message sent after the join arrived intact, once");
    }

    /**
     * Subscribers that skipped a stalled claim read on to the tail and hold their heads at it; the publishers are
     * held back by the claim, not by them, so none of them is evicted however long the claimer stands still.
     */
    @Test
    void subscribersHeldUpByAStalledClaimAreNotEvicted()
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.MPMC, CAPACITY, MAX_LENGTH, 2),
            Duration.ofMillis(200));
        final List<ShmSubscriber> subscribers =
            List.of(shm.registry().subscriber("fan"), shm.registry().subscriber("fan"));
        final ShmPublisher stalled = shm.registry().publisher("fan");
        final ShmPublisher sender = shm.registry().publisher("fan");
        assertTrue(stalled.tryClaim(64, new BufferClaim()) > 0);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500); // seven timeouts
        long refused = 0;
        while (System.nanoTime() < end)
        {
            if (sender.offer(message, 0, 64) == Publisher.BACK_PRESSURED)
            {
                refused++;
            }
            for (final ShmSubscriber subscriber : subscribers)
            {
                subscriber.poll((buffer, offset, length) -> {}, 100); // throws if evicted
            }
        }
        assertTrue(refused > 0, "the stalled claim held the sender back");
        assertEquals(0, sender.channelInfo().subscribers().stream().mapToLong(s -> s.evictions()).sum());
    }

    @Test
    void cleanupLeavesAFanOutChannelWithALiveSubscriberAndRemovesItOnceItLeft() throws Exception
    {
        shm.registry().create("fan", ChannelConfig.spmc(CAPACITY, 2));
        final long deadPid;
        try (ChildJvm child = AttachAndWaitMain.attached(shm.directory(), "fan", "publisher"))
        {
            child.kill();
            deadPid = child.pid();
        }
        SegmentEditor.edit(shm.directory().resolve("fan"),
            b -> b.putLong(SegmentDescriptor.CREATOR_PID_OFFSET, deadPid));
        final ShmSubscriber subscriber = shm.registry().subscriber("fan");
        assertEquals(List.of(), shm.registry().removeStale(), "a live subscriber keeps its channel");
        subscriber.close();
        assertEquals(List.of(shm.directory().resolve("fan")), shm.registry().removeStale());
    }

    /**
     * An MPMC claim is a tail CAS, then the header's CAS from the free word, so a claimer may stop between the two
     * (an MPSC claim is one CAS and has no such gap). The subscriber takes the gap after the claim timeout word by
     * word, counts it lost naming nobody, and delivers what follows; the claimer's header CAS, should it wake,
     * fails at every word of the gap.
     */
    @Test
    void anMpmcGapWhoseClaimerNeverWroteAHeaderIsTakenAfterTheTimeout()
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.MPMC, CAPACITY, MAX_LENGTH, 1));
        final ShmSubscriber subscriber = shm.registry().subscriber("fan");
        final ShmPublisher publisher = shm.registry().publisher("fan");
        // a publisher won the tail CAS for two records' room at position 0 and stopped before its header
        final int gap = 2 * RecordDescriptor.ALIGNMENT;
        SegmentEditor.edit(shm.directory().resolve("fan"),
            b -> b.getAndAddLong(SegmentDescriptor.TAIL_POSITION_OFFSET, gap));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_LENGTH]);
        final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, 1);
        final int length = new TaggedMessages(MAX_LENGTH).write(0, 0, message, 0);
        assertTrue(publisher.offer(message, 0, length) > 0);

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (verifier.received(0) == 0 && System.nanoTime() < deadline)
        {
            subscriber.poll(verifier, 10);
        }

        assertNull(verifier.failure());
        assertEquals(1, verifier.received(0));
        assertEquals(1, subscriber.lostClaims());
        assertEquals(0, subscriber.lastLostClaim().position());
        assertEquals(gap, subscriber.lastLostClaim().length());
        assertEquals(0, subscriber.lastLostClaim().session(), "a gap names no session");
        final int shift = Integer.numberOfTrailingZeros(CAPACITY);
        final boolean[] headerTaken = new boolean[gap / RecordDescriptor.ALIGNMENT];
        SegmentEditor.edit(shm.directory().resolve("fan"), b ->
        {
            for (int word = 0; word < headerTaken.length; word++)
            {
                final int boundary = word * RecordDescriptor.ALIGNMENT;
                headerTaken[word] = b.compareAndSetLong(SegmentDescriptor.RING_OFFSET + boundary,
                    FreeWord.of(boundary, shift), RecordDescriptor.header(-16, (1 << 7) | 1));
            }
        });
        assertArrayEquals(new boolean[headerTaken.length], headerTaken,
            "the woken claimer's header CAS fails at every record boundary");
    }

    /**
     * An MPMC publisher killed while it marks released space free has overwritten record headers that no walk can
     * pass. Another publisher takes its lease over once it is dead and marks again up to the target it wrote
     * down, and the channel carries messages again.
     */
    @Test
    void aCleanerKilledWhileMarkingIsTakenOverAndTheChannelGoesOn() throws Exception
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.MPMC, CAPACITY, MAX_LENGTH, 1));
        final ShmSubscriber subscriber = shm.registry().subscriber("fan");
        final ShmPublisher publisher = shm.registry().publisher("fan");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_LENGTH]);
        final long[] received = {0};
        // the ring full of records the subscriber has read: a lap to release
        while (publisher.offer(message, 0, MAX_LENGTH) > 0)
        {
            // until full
        }
        while (subscriber.poll((buffer, offset, length) -> received[0]++, 100) > 0)
        {
            // all of it
        }
        final long deadToken = deadPublisherToken();
        final ChannelSegment segment = ChannelSegment.open(shm.directory().resolve("fan"), "fan", false);
        final UnsafeBuffer buffer = segment.buffer();
        final int region = FanOutDescriptor.regionOffset(CAPACITY);
        final long released = buffer.getLongVolatile(SegmentDescriptor.HEAD_POSITION_OFFSET);
        final long target = buffer.getLongVolatile(SegmentDescriptor.TAIL_POSITION_OFFSET);
        // what the dead publisher left: its lease, its target, and the first half of the range marked
        buffer.putLongVolatile(region + FanOutDescriptor.CLEANER_TOKEN_OFFSET, deadToken);
        buffer.putLongVolatile(region + FanOutDescriptor.CLEANER_TARGET_OFFSET, target);
        final int shift = Integer.numberOfTrailingZeros(CAPACITY);
        for (long position = released; position < released + (target - released) / 2; position += 8)
        {
            buffer.putLong(SegmentDescriptor.RING_OFFSET + (int)(position & (CAPACITY - 1)),
                FreeWord.of(position + CAPACITY, shift));
        }
        final long before = received[0];
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int sent = 0;
        while (sent < 2 * CAPACITY / MAX_LENGTH)
        {
            if (publisher.offer(message, 0, MAX_LENGTH) > 0)
            {
                sent++;
            }
            subscriber.poll((buffer1, offset, length) -> received[0]++, 100);
            assertTrue(System.nanoTime() < deadline, "the channel stayed back-pressured after " + sent);
        }
        while (subscriber.poll((buffer1, offset, length) -> received[0]++, 100) > 0)
        {
            // the rest
        }
        assertEquals(sent, received[0] - before);
        assertEquals(0, buffer.getLongVolatile(region + FanOutDescriptor.CLEANER_TOKEN_OFFSET), "lease given back");
    }

    /**
     * A subscriber stopped in the middle of its attach gates the publishers but has not attached: it is evicted
     * like an attached one once it held them back past the timeout, and the others go on.
     */
    @Test
    void aJoinThatStandsStillIsEvictedAndThePublishersGoOn() throws Exception
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.SPMC, CAPACITY, MAX_LENGTH, 2),
            Duration.ofMillis(300));
        final ShmSubscriber subscriber = shm.registry().subscriber("fan");
        final ShmPublisher publisher = shm.registry().publisher("fan");
        final ChannelSegment segment = ChannelSegment.open(shm.directory().resolve("fan"), "fan", false);
        final UnsafeBuffer buffer = segment.buffer();
        final int slot = FanOutDescriptor.slotOffset(CAPACITY, 1);
        try (ChildJvm joiner = AttachAndWaitMain.createdAndAttached(shm.directory(), "queue", "subscriber"))
        {
            final long liveToken = ChannelSegment.open(shm.directory().resolve("queue"), "queue", false).buffer()
                .getLongVolatile(SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET);
            // what a live process stopped between its attach's first steps leaves: its token, ATTACHING, a head
            buffer.putLongVolatile(slot + FanOutDescriptor.SLOT_TOKEN_OFFSET, liveToken);
            buffer.putLongVolatile(slot + FanOutDescriptor.SLOT_HEAD_OFFSET,
                buffer.getLongVolatile(SegmentDescriptor.TAIL_POSITION_OFFSET));
            buffer.putLongVolatile(slot + FanOutDescriptor.SLOT_ATTACHMENT_OFFSET,
                FanOutDescriptor.attachment(7, FanOutDescriptor.STATE_ATTACHING));
            final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_LENGTH]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            while (sent < 3 * CAPACITY / MAX_LENGTH)
            {
                if (publisher.offer(message, 0, MAX_LENGTH) > 0)
                {
                    sent++;
                }
                subscriber.poll((b, offset, length) -> {}, 100);
                assertTrue(System.nanoTime() < deadline, "the stopped join held the publisher back for good");
            }
            assertEquals(FanOutDescriptor.attachment(7, FanOutDescriptor.STATE_EVICTED),
                buffer.getLongVolatile(slot + FanOutDescriptor.SLOT_ATTACHMENT_OFFSET));
        }
    }

    /** The token of a publisher whose process is dead: a child attaches, then is killed. */
    private long deadPublisherToken() throws Exception
    {
        shm.registry().create("victim", ChannelConfig.mpsc(CAPACITY));
        try (ChildJvm child = AttachAndWaitMain.attached(shm.directory(), "victim", "publisher"))
        {
            final long token =
                PartySlots.publisherToken(ChannelSegment.open(shm.directory().resolve("victim"), "victim", false), 0);
            child.kill();
            return token;
        }
    }
}
