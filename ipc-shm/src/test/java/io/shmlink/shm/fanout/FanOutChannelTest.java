package io.shmlink.shm.fanout;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.SubscriberEvictedException;
import io.shmlink.api.SubscriberInfo;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.testing.TempRegistry;
import io.shmlink.shm.wait.ReaderWait;
import io.shmlink.shm.testing.TaggedMessages;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fan-out channels in one process: every subscriber receives every message, joins live, and a slow one is cut off.
 * The same claims across processes are in {@link CrossProcessFanOutTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanOutChannelTest
{
    private static final int MAX_LENGTH = 512;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-fanout-test-");

    private static ChannelConfig config(final ChannelMode mode, final int subscribers)
    {
        return new ChannelConfig(mode, 1 << 16, MAX_LENGTH, subscribers);
    }

    /** Offers one tagged message, polling every subscriber while the ring is full. */
    private static void send(
        final Publisher publisher, final TaggedMessages messages, final UnsafeBuffer scratch, final int id,
        final long seq, final List<ShmSubscriber> subscribers, final List<TaggedMessages.Verifier> verifiers)
    {
        final int length = messages.write(id, seq, scratch, 0);
        long result;
        while ((result = publisher.offer(scratch, 0, length)) < 0)
        {
            assertEquals(Publisher.BACK_PRESSURED, result);
            for (int i = 0; i < subscribers.size(); i++)
            {
                subscribers.get(i).poll(verifiers.get(i), 64);
            }
        }
    }

    private static void drain(final List<ShmSubscriber> subscribers, final List<TaggedMessages.Verifier> verifiers,
        final long expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < subscribers.size(); i++)
        {
            while (verifiers.get(i).received(0) < expected)
            {
                subscribers.get(i).poll(verifiers.get(i), 256);
                assertNull(verifiers.get(i).failure());
                assertTrue(System.nanoTime() < deadline, "subscriber " + i + " stuck at " +
                    verifiers.get(i).received(0));
            }
        }
    }

    @Test
    void everySpmcSubscriberReceivesEveryMessageInOrderOnce()
    {
        shm.registry().create("fan", config(ChannelMode.SPMC, 3));
        everySubscriberReceivesEverything(200_000);
    }

    @Test
    void everyMpmcSubscriberReceivesEveryMessageInOrderOnce()
    {
        shm.registry().create("fan", config(ChannelMode.MPMC, 3));
        everySubscriberReceivesEverything(200_000);
    }

    private void everySubscriberReceivesEverything(final long count)
    {
        final List<ShmSubscriber> subscribers = new ArrayList<>();
        final List<TaggedMessages.Verifier> verifiers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            subscribers.add(shm.registry().subscriber("fan"));
            verifiers.add(new TaggedMessages.Verifier(MAX_LENGTH, 1));
        }
        final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
        try (ShmPublisher publisher = shm.registry().publisher("fan"))
        {
            for (long seq = 0; seq < count; seq++)
            {
                send(publisher, messages, scratch, 0, seq, subscribers, verifiers);
            }
        }
        drain(subscribers, verifiers, count);
        for (final TaggedMessages.Verifier verifier : verifiers)
        {
            assertNull(verifier.failure());
            assertEquals(count, verifier.received(0));
        }
        for (final ShmSubscriber subscriber : subscribers)
        {
            assertEquals(0, subscriber.poll((buffer, offset, length) -> fail("a message beyond the last"), 10));
        }
    }

    @Test
    void aSubscriberJoiningMidStreamReceivesExactlyWhatIsSentAfterItAttached()
    {
        shm.registry().create("fan", config(ChannelMode.SPMC, 2));
        final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
        final ShmSubscriber first = shm.registry().subscriber("fan");
        final TaggedMessages.Verifier firstVerifier = new TaggedMessages.Verifier(MAX_LENGTH, 1);
        try (ShmPublisher publisher = shm.registry().publisher("fan"))
        {
            for (long seq = 0; seq < 1000; seq++)
            {
                send(publisher, messages, scratch, 0, seq, List.of(first), List.of(firstVerifier));
            }
            final ShmSubscriber late = shm.registry().subscriber("fan");
            final List<Long> seen = new ArrayList<>();
            for (long seq = 1000; seq < 3000; seq++)
            {
                send(publisher, messages, scratch, 0, seq, List.of(first), List.of(firstVerifier));
                late.poll((buffer, offset, length) -> seen.add(buffer.getLong(offset + 4)), 100);
            }
            drain(List.of(first), List.of(firstVerifier), 3000);
            while (late.poll((buffer, offset, length) -> seen.add(buffer.getLong(offset + 4)), 100) > 0)
            {
                // until it has everything
            }
            assertEquals(2000, seen.size());
            for (int i = 0; i < seen.size(); i++)
            {
                assertEquals(1000 + i, seen.get(i));
            }
        }
    }

    @Test
    void oneSubscriberMoreThanTheMaximumIsRefusedNamingTheLimit()
    {
        shm.registry().create("fan", config(ChannelMode.MPMC, 2));
        shm.registry().subscriber("fan");
        shm.registry().subscriber("fan");
        final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> shm.registry().subscriber("fan"));
        assertTrue(refused.getMessage().contains("maxSubscribers 2"), refused.getMessage());
    }

    @Test
    void aClosedSubscriberFreesItsSlotAndStopsHoldingPublishersBack()
    {
        shm.registry().create("fan", config(ChannelMode.SPMC, 2));
        final ShmSubscriber reading = shm.registry().subscriber("fan");
        final ShmSubscriber closing = shm.registry().subscriber("fan");
        try (ShmPublisher publisher = shm.registry().publisher("fan"))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
            closing.close();
            shm.registry().subscriber("fan").close(); // the slot is free again
            for (int i = 0; i < 10_000; i++)
            {
                while (publisher.offer(message, 0, 256) == Publisher.BACK_PRESSURED)
                {
                    reading.poll((buffer, offset, length) -> {}, 100);
                }
            }
        }
    }

    @Test
    void publishersAreNotConnectedWhileNoSubscriberIsAttached()
    {
        shm.registry().create("fan", config(ChannelMode.MPMC, 2));
        try (ShmPublisher publisher = shm.registry().publisher("fan"))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            assertEquals(Publisher.NOT_CONNECTED, publisher.offer(message, 0, 8));
            final ShmSubscriber subscriber = shm.registry().subscriber("fan");
            assertTrue(publisher.offer(message, 0, 8) > 0);
            subscriber.close();
            assertEquals(Publisher.NOT_CONNECTED, publisher.offer(message, 0, 8));
        }
    }

    @Test
    void everySubscriberAsleepOnItsDoorbellIsWokenByOneOffer() throws Exception
    {
        shm.registry().create("fan", config(ChannelMode.MPMC, 3));
        final ChannelSegment segment = ChannelSegment.open(shm.directory().resolve("fan"), "fan", false);
        final long sleepers = FanOutDescriptor.regionOffset(1 << 16) + FanOutDescriptor.SLEEPERS_OFFSET;
        final List<Thread> threads = new ArrayList<>();
        final int[] received = new int[3];
        for (int i = 0; i < 3; i++)
        {
            final int index = i;
            // asleep for an hour unless the doorbell rings: the test's timeout fails it if nobody rings
            final ShmSubscriber subscriber =
                shm.registry().subscriber("fan").readerWait(ReaderWait.blocking().withMaxSleep(Duration.ofHours(1)));
            final Thread thread = new Thread(() ->
                received[index] = subscriber.poll((buffer, offset, length) -> {}, 10, 1, TimeUnit.HOURS));
            thread.start();
            threads.add(thread);
        }
        while (segment.buffer().getLongVolatile((int)sleepers) != 3)
        {
            Thread.onSpinWait(); // until all three announced their sleep
        }
        try (ShmPublisher publisher = shm.registry().publisher("fan"))
        {
            assertTrue(publisher.offer(new UnsafeBuffer(new byte[16]), 0, 16) > 0);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertArrayEquals(new int[] {1, 1, 1}, received);
        assertEquals(0, segment.buffer().getLongVolatile((int)sleepers), "each woken subscriber counted itself out");
    }

    /** Ten rings' worth of 256-byte messages: impossible unless a stalled subscriber stops holding them back. */
    private static void sendTenRings(
        final ShmPublisher publisher, final ShmSubscriber keepingUp, final UnsafeBuffer message)
    {
        final long start = System.nanoTime();
        long sent = 0;
        while (sent < 10L * (1 << 16) / RecordDescriptor.recordLength(256))
        {
            if (publisher.offer(message, 0, 256) > 0)
            {
                sent++;
            }
            keepingUp.poll((buffer, offset, length) -> {}, 100);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "never evicted");
        }
    }

    /**
     * An SPMC channel of two subscribers and a 300 ms eviction timeout, one subscriber polling and one stalled, and
     * a publisher that has sent it ten rings of 256-byte messages; closing it closes the publisher.
     *
     * @param publisher the publisher that sent the ten rings.
     * @param keepingUp the subscriber that polled all along.
     * @param stalled   the subscriber that never polled.
     * @param message   the 256-byte message sent.
     */
    private record StalledFan(ShmPublisher publisher, ShmSubscriber keepingUp, ShmSubscriber stalled,
        UnsafeBuffer message) implements AutoCloseable
    {
        @Override
        public void close()
        {
            publisher.close();
        }
    }

    private StalledFan stallOneOfTwoSubscribersForTenRings()
    {
        shm.registry().create("fan", config(ChannelMode.SPMC, 2), Duration.ofMillis(300));
        final ShmSubscriber keepingUp = shm.registry().subscriber("fan");
        final ShmSubscriber stalled = shm.registry().subscriber("fan");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        final ShmPublisher publisher = shm.registry().publisher("fan");
        sendTenRings(publisher, keepingUp, message);
        return new StalledFan(publisher, keepingUp, stalled, message);
    }

    @Test
    void anEvictedSubscriberIsListedAsEvictedUntilItsNextPoll()
    {
        try (StalledFan fan = stallOneOfTwoSubscribersForTenRings())
        {
            final ShmPublisher publisher = fan.publisher();
            final ChannelInfo info = publisher.channelInfo();
            final SubscriberInfo live = info.subscribers().get(0);
            final SubscriberInfo evicted = info.subscribers().get(1);
            assertEquals(List.of(false, true), List.of(live.evicted(), evicted.evicted()),
                info.subscribers()::toString);
            assertEquals(1, evicted.evictions());
            assertEquals(live.position(), info.subscriberPosition(),
                "the released position is the live subscriber's: the evicted one holds nothing back");

            assertThrows(SubscriberEvictedException.class,
                () -> fan.stalled().poll((buffer, offset, length) -> {}, 1));
            assertEquals(List.of(0), publisher.channelInfo().subscribers().stream().map(SubscriberInfo::slot).toList(),
                "its poll gave the slot back");
        }
    }

    @Test
    void aSubscriberThatHoldsPublishersBackPastTheTimeoutIsEvictedAndMayAttachAgain()
    {
        try (StalledFan fan = stallOneOfTwoSubscribersForTenRings())
        {
            final ShmPublisher publisher = fan.publisher();
            final ShmSubscriber stalled = fan.stalled();
            final SubscriberEvictedException evicted = assertThrows(SubscriberEvictedException.class,
                () -> stalled.poll((buffer, offset, length) -> {}, 100));
            assertTrue(evicted.getMessage().contains("bytes behind"), evicted.getMessage());
            assertThrows(SubscriberEvictedException.class, () -> stalled.poll((buffer, offset, length) -> {}, 1));
            stalled.close();

            final ShmSubscriber again = shm.registry().subscriber("fan");
            final ChannelInfo info = publisher.channelInfo();
            assertEquals(List.of(0L, 1L), info.subscribers().stream().map(s -> s.evictions()).toList(),
                "evictions per slot: the evicted subscriber's slot, which the new one took, counts one");
            final long[] received = new long[1];
            while (publisher.offer(fan.message(), 0, 256) < 0)
            {
                fan.keepingUp().poll((buffer, offset, length) -> {}, 100);
            }
            assertEquals(1, again.poll((buffer, offset, length) -> received[0]++, 100));
        }
    }
}
