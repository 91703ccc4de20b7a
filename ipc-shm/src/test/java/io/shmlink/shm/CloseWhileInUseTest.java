package io.shmlink.shm;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A subscriber or publisher closed by one thread while another is inside {@code poll}, {@code offer} or a claim:
 * nothing the busy thread still does reaches a successor's messages.
 */
class CloseWhileInUseTest
{
    private static final ChannelConfig CONFIG = new ChannelConfig(ChannelMode.MPSC, 4096, 256);

    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-close-test-", new ShmRegistry.Options().claimTimeout(Duration.ofMillis(50)));

    @BeforeEach
    void setUp()
    {
        shm.registry().create("chan", CONFIG);
    }

    private static UnsafeBuffer message(final long value)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        message.putLong(0, value);
        return message;
    }

    @Test
    void aSubscriberClosedDuringASlowHandlerWaitsForThePollSoItsSuccessorSeesNoMessageTwice() throws Exception
    {
        final Publisher publisher = shm.registry().publisher("chan");
        for (long value = 1; value <= 10; value++)
        {
            assertTrue(publisher.offer(message(value), 0, 8) > 0);
        }
        final ShmSubscriber first = shm.registry().subscriber("chan");
        final CountDownLatch inHandler = new CountDownLatch(1);
        final CountDownLatch letGo = new CountDownLatch(1);
        final List<Long> seen = new ArrayList<>();
        final Thread poller = new Thread(() -> first.poll((buffer, offset, length) ->
        {
            seen.add(buffer.getLong(offset));
            inHandler.countDown();
            await(letGo);
        }, 10));
        poller.start();
        inHandler.await();

        final AtomicBoolean closeReturned = new AtomicBoolean();
        final Thread closer = new Thread(() ->
        {
            first.close();
            closeReturned.set(true);
        });
        closer.start();
        closer.join(200);
        assertFalse(closeReturned.get(), "close waits while the handler still runs");
        letGo.countDown();
        poller.join();
        closer.join();
        assertTrue(closeReturned.get());

        final ShmSubscriber successor = shm.registry().subscriber("chan");
        final List<Long> later = new ArrayList<>();
        successor.poll((buffer, offset, length) -> later.add(buffer.getLong(offset)), 100);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), seen, "the first poll's whole batch");
        assertEquals(List.of(), later, "nothing twice");
    }

    @Test
    void aSubscriberClosedFromItsOwnHandlerDetachesWhenThatPollReturns()
    {
        final Publisher publisher = shm.registry().publisher("chan");
        assertTrue(publisher.offer(message(1), 0, 8) > 0);
        final ShmSubscriber first = shm.registry().subscriber("chan");
        final AtomicReference<Throwable> secondAttach = new AtomicReference<>();

        first.poll((buffer, offset, length) ->
        {
            first.close();
            try
            {
                shm.registry().subscriber("chan").close();
            }
            catch (final Throwable ex)
            {
                secondAttach.set(ex);
            }
        }, 10);

        assertNotNull(secondAttach.get(), "the slot is still held inside the poll");
        shm.registry().subscriber("chan").close(); // and free once it returned
        assertEquals(0, first.poll((buffer, offset, length) -> fail("closed"), 10));
    }

    @Test
    void aCloseFromTheHandlerWhileAnotherThreadWaitsInCloseCompletesBoth() throws Exception
    {
        final Publisher publisher = shm.registry().publisher("chan");
        assertTrue(publisher.offer(message(1), 0, 8) > 0);
        final ShmSubscriber first = shm.registry().subscriber("chan");
        final CountDownLatch inHandler = new CountDownLatch(1);
        final CountDownLatch closerWaits = new CountDownLatch(1);
        final Thread poller = new Thread(() -> first.poll((buffer, offset, length) ->
        {
            inHandler.countDown();
            await(closerWaits);
            first.close();
        }, 10));
        poller.start();
        inHandler.await();
        final Thread closer = new Thread(first::close);
        closer.start();
        awaitState(closer, Thread.State.TIMED_WAITING, "the other close waits for the poll");
        closerWaits.countDown();

        poller.join(10_000);
        closer.join(10_000);

        assertFalse(poller.isAlive(), "the handler's close returned");
        assertFalse(closer.isAlive(), "the other close returned");
        shm.registry().subscriber("chan").close(); // the slot was released
    }

    @Test
    void aSubscriberPolledByTwoThreadsAtOnceIsRefused() throws Exception
    {
        final Publisher publisher = shm.registry().publisher("chan");
        assertTrue(publisher.offer(message(1), 0, 8) > 0);
        final ShmSubscriber subscriber = shm.registry().subscriber("chan");
        final AtomicReference<Throwable> nested = new AtomicReference<>();

        subscriber.poll((buffer, offset, length) ->
        {
            try
            {
                subscriber.poll((b, o, l) -> {}, 1);
            }
            catch (final Throwable ex)
            {
                nested.set(ex);
            }
        }, 10);

        assertInstanceOf(IllegalStateException.class, nested.get());
    }

    @Test
    void aPublisherClosedWhileAnotherOfItsThreadsHoldsAClaimCannotHaveThatSpaceHandedOut() throws Exception
    {
        final Publisher closing = shm.registry().publisher("chan");
        final Publisher other = shm.registry().publisher("chan");
        final ShmSubscriber subscriber = shm.registry().subscriber("chan");
        final BufferClaim claim = new BufferClaim();
        assertTrue(closing.tryClaim(8, claim) > 0);         // a thread of this publisher is mid-copy...
        closing.close();                                    // ...when another thread closes it

        final List<Long> seen = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (subscriber.lostClaims() == 0)
        {
            assertTrue(System.nanoTime() < deadline, "the closed publisher's claim is skipped");
            subscriber.poll((buffer, offset, length) -> seen.add(buffer.getLong(offset)), 100);
        }
        long sent = 0;
        while (other.offer(message(0xB), 0, 8) > 0)
        {
            sent++;
            subscriber.poll((buffer, offset, length) -> seen.add(buffer.getLong(offset)), 100);
        }
        assertEquals(Publisher.BACK_PRESSURED, other.offer(message(0xB), 0, 8), "the held claim is not lapped");

        claim.buffer().putLong(0, 0xA);                     // the copy goes on, in the claim's own record
        claim.commit();
        final long afterCommit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (other.offer(message(0xC), 0, 8) < 0)
        {
            assertTrue(System.nanoTime() < afterCommit, "the space is handed back once the claim let go");
            subscriber.poll((buffer, offset, length) -> seen.add(buffer.getLong(offset)), 100);
        }
        while (subscriber.poll((buffer, offset, length) -> seen.add(buffer.getLong(offset)), 100) > 0)
        {
            // drain
        }

        assertEquals(sent + 1, seen.size());
        assertTrue(seen.subList(0, (int)sent).stream().allMatch(value -> value == 0xB), seen.toString());
        assertEquals(0xCL, seen.get(seen.size() - 1));
        assertEquals(1, subscriber.lostClaims());
    }

    /**
     * The liveness thread may begin a tick of a subscriber just before another thread closes it. Once the close
     * has given the slot back, where a successor's heartbeat and counters may already be, that tick writes nothing.
     * The test holds the subscriber's slot lock to stop a tick on its way to the slot.
     */
    @ParameterizedTest
    @EnumSource(value = ChannelMode.class, names = {"MPSC", "SPMC"})
    void aLivenessTickBegunBeforeACloseWritesNothingIntoTheSlotItGaveBack(final ChannelMode mode) throws Exception
    {
        final String name = channelOf(mode);
        final ShmSubscriber subscriber = shm.registry().subscriber(name);
        final int slot = mode.isFanOut() ? FanOutDescriptor.slotOffset(CONFIG.capacity(), 0) : 0;
        final int heartbeat = slot + (mode.isFanOut() ?
            FanOutDescriptor.SLOT_HEARTBEAT_OFFSET : SegmentDescriptor.SUBSCRIBER_HEARTBEAT_OFFSET);
        final int messages = slot + (mode.isFanOut() ?
            FanOutDescriptor.SLOT_MESSAGES_OFFSET : SegmentDescriptor.MESSAGES_CONSUMED_OFFSET);
        final long successors = 0x5EC0DL;
        tickStoppedAcrossClose(subscriber.slotLock, subscriber::onLivenessTick, subscriber::close, name, b ->
        {
            b.putLong(heartbeat, successors); // the slot is another subscriber's now
            b.putLong(messages, successors);
        });

        SegmentEditor.edit(shm.directory().resolve(name), b ->
        {
            assertEquals(successors, b.getLong(heartbeat), "heartbeat");
            assertEquals(successors, b.getLong(messages), "messages consumed");
        });
    }

    /** As for a subscriber's tick: a publisher's heartbeat begun before its close never lands in a successor's slot. */
    @Test
    void aHeartbeatBegunBeforeAPublishersCloseWritesNothingIntoTheSlotItGaveBack() throws Exception
    {
        final ShmPublisher publisher = shm.registry().publisher("chan");
        final int heartbeat = SegmentDescriptor.publisherSlotOffset(0) + SegmentDescriptor.SLOT_HEARTBEAT_OFFSET;
        final long successors = 0x5EC0DL;
        tickStoppedAcrossClose(publisher.slotLock, publisher::keepAlive, publisher::close, "chan",
            b -> b.putLong(heartbeat, successors));

        SegmentEditor.edit(shm.directory().resolve("chan"),
            b -> assertEquals(successors, b.getLong(heartbeat), "the only publisher's slot is the first"));
    }

    /**
     * The other half of the tick's guarantee: a close from another thread gives the slot back only under the lock the
     * tick writes under, so a tick holding it finishes its writes first.
     */
    @ParameterizedTest
    @EnumSource(value = ChannelMode.class, names = {"MPSC", "SPMC"})
    void aCloseFromAnotherThreadGivesTheSlotBackOnlyUnderTheTicksLock(final ChannelMode mode) throws Exception
    {
        final String name = channelOf(mode);
        final ShmSubscriber subscriber = shm.registry().subscriber(name);
        final Thread closer = new Thread(subscriber::close, "closer");
        synchronized (subscriber.slotLock)
        {
            closer.start();
            awaitBlocked(closer);
            assertEquals(1, attachedSubscribers(name), "the slot is still held while a tick may write it");
        }
        closer.join();
        assertEquals(0, attachedSubscribers(name));
    }

    /** As for a subscriber: a publisher's close gives its slot back only under the lock its heartbeat writes under. */
    @Test
    void aPublishersCloseFromAnotherThreadGivesTheSlotBackOnlyUnderTheHeartbeatsLock() throws Exception
    {
        final ShmPublisher publisher = shm.registry().publisher("chan");
        final Thread closer = new Thread(publisher::close, "closer");
        synchronized (publisher.slotLock)
        {
            closer.start();
            awaitBlocked(closer);
            assertEquals(1, shm.registry().lookup("chan").orElseThrow().publishers().size());
        }
        closer.join();
        assertEquals(0, shm.registry().lookup("chan").orElseThrow().publishers().size());
    }

    /**
     * Starts a tick while holding the lock it writes under, so that it stops there, on its way to the slot;
     * closes and lets a successor write into the slot while still holding the lock; then lets the tick go and waits
     * for it.
     */
    private void tickStoppedAcrossClose(final Object lock, final Runnable tick, final Runnable close,
        final String channel, final Consumer<UnsafeBuffer> successor) throws InterruptedException
    {
        final Thread ticking = new Thread(tick, "a tick begun before the close");
        synchronized (lock)
        {
            ticking.start();
            awaitBlocked(ticking);
            close.run();
            SegmentEditor.edit(shm.directory().resolve(channel), successor);
        }
        ticking.join();
    }

    /** The class's MPSC channel, or a fan-out channel of the same shape made now. */
    private String channelOf(final ChannelMode mode)
    {
        if (!mode.isFanOut())
        {
            return "chan";
        }
        shm.registry().create("fan", new ChannelConfig(mode, CONFIG.capacity(), CONFIG.maxMessageLength(), 1));
        return "fan";
    }

    private int attachedSubscribers(final String name)
    {
        final ChannelInfo info = shm.registry().lookup(name).orElseThrow();
        return info.mode().isFanOut() ? info.subscribers().size() : info.subscriber() == null ? 0 : 1;
    }

    private static void awaitBlocked(final Thread thread)
    {
        awaitState(thread, Thread.State.BLOCKED, "the thread waits for the slot's lock");
    }

    private static void awaitState(final Thread thread, final Thread.State state, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != state)
        {
            assertTrue(thread.isAlive() && System.nanoTime() < deadline, what);
            Thread.onSpinWait();
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
