package io.shmlink.aeron;

import io.aeron.AeronCounters;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.MessageHandler;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.shmlink.aeron.AeronBridgeTest.awaitTrue;
import static io.shmlink.aeron.AeronBridgeTest.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An outbound bridge that Aeron holds back, deterministically: the far side is an Aeron IPC subscription of the
 * test's own on an external media driver, with a 64 KiB term, which the test does not poll until it says so. The
 * bridge's publication fills its window and stays full ({@link #bridgeIsHeldBack()}) with a message in the bridge's
 * hand, until the test polls.
 */
class HeldBackBridgeTest
{
    private static final String FAR_SIDE = "aeron:ipc?term-length=64k";
    private static final int STREAM = 11;
    private static final int MAX_LENGTH = 400;

    @RegisterExtension
    final ExternalMediaDriver aeron = new ExternalMediaDriver("aeron-held-");
    private Subscription farSubscription;
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
    private final TestMessages messages = new TestMessages(MAX_LENGTH);
    private final SplittableRandom random = new SplittableRandom(17);

    @BeforeEach
    void subscribe()
    {
        farSubscription = aeron.farSubscription(FAR_SIDE, STREAM);
    }

    /**
     * Whether the bridge's publication has reached its limit: the far side does not poll, so nothing more goes out
     * until it does, and the bridge holds the message that did not fit. Read from the driver's counters (the
     * publisher position and limit of the one publication), never from a sleep.
     */
    private boolean bridgeIsHeldBack()
    {
        final CountersReader counters = aeron.farSide().countersReader();
        final long[] positionAndLimit = {-1, -1};
        counters.forEach((counterId, typeId, key, label) ->
        {
            if (typeId == AeronCounters.DRIVER_PUBLISHER_POS_TYPE_ID)
            {
                positionAndLimit[0] = counters.getCounterValue(counterId);
            }
            else if (typeId == AeronCounters.DRIVER_PUBLISHER_LIMIT_TYPE_ID)
            {
                positionAndLimit[1] = counters.getCounterValue(counterId);
            }
        });
        return positionAndLimit[1] > 0 && positionAndLimit[0] >= positionAndLimit[1];
    }

    private int nextMessage(final long sequence)
    {
        return messages.encode(buffer, sequence, TestMessages.randomLength(random, MAX_LENGTH), random);
    }

    /** What the far side has received: each message's sequence, by Aeron session; and what was not intact. */
    private final class Received
    {
        private final Map<Integer, List<Long>> bySession = new TreeMap<>();
        private final List<String> garbage = new ArrayList<>();
        private final FragmentHandler handler = new FragmentAssembler((b, o, l, header) ->
        {
            try
            {
                bySession.computeIfAbsent(header.sessionId(), session -> new ArrayList<>())
                    .add(messages.verify(b, o, l));
            }
            catch (final AssertionError bad)
            {
                garbage.add(bad.getMessage());
            }
        });

        /** Polls the far side's subscription once; the count of fragments, never negative. */
        int poll()
        {
            return farSubscription.poll(handler, 256);
        }

        int count()
        {
            return bySession.values().stream().mapToInt(List::size).sum();
        }

        /** The sequences of every session, session by session. */
        List<Long> sequences()
        {
            return bySession.values().stream().flatMap(List::stream).toList();
        }
    }

    private static List<Long> range(final long from, final long to)
    {
        return LongStream.range(from, to).boxed().toList();
    }

    /**
     * An SPSC channel: {@code close()} gives up the message Aeron pushes back, and only that one; what the bridge
     * had not read stays in the channel, and a restarted bridge carries it on in order.
     */
    @Test
    void closingABridgeThatAeronHoldsBackLosesOnlyTheMessageInHandAndARestartedBridgeCarriesTheRest()
        throws Exception
    {
        aeron.registry().create("src", ChannelConfig.spsc(1 << 20));
        final AeronBridge first = aeron.outbound("src", FAR_SIDE, STREAM);
        awaitTrue(() -> first.isLinkUp() && farSubscription.imageCount() == 1,
            "the bridge and the far side never saw each other");
        final int firstSession = farSubscription.imageAtIndex(0).sessionId();
        final ShmPublisher publisher = aeron.closing(aeron.registry().publisher("src"));
        final int count = 2000; // about 400 KB: the ring holds them all, Aeron's 64 KiB window a few hundred
        for (long sequence = 0; sequence < count; sequence++)
        {
            offer(publisher, buffer, nextMessage(sequence));
        }
        awaitTrue(this::bridgeIsHeldBack, "Aeron never held the bridge back");
        final long forwarded = first.messagesForwarded();
        assertTrue(forwarded > 0 && forwarded < count - 1, "forwarded " + forwarded);

        first.close();
        assertEquals(1, first.lostOnClose(), "the message in hand is given up and counted");
        assertEquals(forwarded, first.messagesForwarded());

        final AeronBridge restarted = aeron.outbound("src", FAR_SIDE, STREAM);
        final Received received = new Received();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.count() < count - 1 && received.garbage.isEmpty())
        {
            if (received.poll() == 0 && System.nanoTime() > deadline)
            {
                fail("the far side received " + received.count() + " of " + (count - 1) +
                    "; the restarted bridge forwarded " + restarted.messagesForwarded());
            }
        }
        assertEquals(List.of(), received.garbage);
        assertEquals(2, received.bySession.size(), "two sessions, one per bridge: " + received.bySession.keySet());
        assertEquals(range(0, forwarded), received.bySession.remove(firstSession),
            "the first bridge: everything before the message in hand");
        assertEquals(range(forwarded + 1, count), received.sequences(),
            "the restarted bridge: everything after it, in order, once");
        assertEquals(0, restarted.lostOnClose());
    }

    /**
     * A fan-out channel evicts the bridge while Aeron holds it back with a message in hand, and the publishers
     * write over the ring where that message was. The bridge must send only messages that were whole when it read
     * them: the far side gets every message intact, in order, up to the one in hand; then the bridge counts the
     * eviction, joins again, and carries what is published after.
     */
    @Test
    void aFanOutBridgeEvictedWhileHeldBackSendsNothingOverwrittenAndJoinsAgain() throws Exception
    {
        final int capacity = 1 << 16;
        aeron.registry().create("prices", ChannelConfig.spmc(capacity, 2), Duration.ofMillis(200));
        final AeronBridge outbound = aeron.outbound("prices", FAR_SIDE, STREAM);
        awaitTrue(outbound::isLinkUp, "the bridge never saw the far side's subscription");
        // a local subscriber that keeps up: once the bridge is evicted, the publisher goes on over the ring
        final ShmSubscriber local = aeron.closing(aeron.registry().subscriber("prices"));
        final ShmPublisher publisher = aeron.closing(aeron.registry().publisher("prices"));
        final MessageHandler ignore = (b, o, l) -> {};

        long sequence = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!bridgeIsHeldBack())
        {
            if (publisher.offer(buffer, 0, nextMessage(sequence)) > 0)
            {
                sequence++;
            }
            local.poll(ignore, 64);
            assertTrue(System.nanoTime() < deadline, "Aeron never held the bridge back");
        }
        assertEquals(0, outbound.evictions());
        // two rings' worth more: the publisher is held back until the bridge is evicted, then overwrites the ring
        long bytesSinceHeld = 0;
        while (bytesSinceHeld < 2L * capacity)
        {
            final int length = nextMessage(sequence);
            if (publisher.offer(buffer, 0, length) > 0)
            {
                sequence++;
                bytesSinceHeld += length;
            }
            local.poll(ignore, 64);
            assertTrue(System.nanoTime() < deadline, "the held-back bridge was never evicted");
        }

        final Received received = new Received();
        awaitTrue(() -> received.poll() >= 0 && outbound.evictions() == 1 &&
            aeron.registry().lookup("prices").orElseThrow().subscribers().stream().filter(s -> !s.evicted()).count() ==
                2,
            () -> "the bridge did not count its eviction and join again: evictions " + outbound.evictions());
        final long forwarded = outbound.messagesForwarded();
        awaitTrue(() -> received.poll() >= 0 && received.count() + received.garbage.size() >= forwarded,
            () -> "the far side received " + received.count() + " of " + forwarded);
        assertEquals(List.of(), received.garbage, "the bridge sent messages overwritten under it");
        assertEquals(range(0, forwarded), received.sequences(),
            "what the bridge read before the eviction, the message in hand included, in order, once");

        final long first = 1_000_000;
        for (long s = first; s < first + 100; s++)
        {
            offer(publisher, buffer, nextMessage(s));
            local.poll(ignore, 64);
        }
        final Received afterRejoin = new Received();
        awaitTrue(() -> afterRejoin.poll() >= 0 && afterRejoin.count() >= 100,
            () -> "after joining again the bridge carried " + afterRejoin.count() + " of 100");
        assertEquals(List.of(), afterRejoin.garbage);
        assertEquals(range(first, first + 100), afterRejoin.sequences(), "what was published after, in order, once");
        assertEquals(1, outbound.evictions());
        assertTrue(outbound.isRunning());
    }
}
