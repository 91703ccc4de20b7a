package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two registries in one JVM linked by an outbound and an inbound bridge over UDP on 127.0.0.1.
 */
class AeronBridgeTest
{
    private static final int STREAM = 7;
    static final int MAX_LENGTH = 8192;

    @RegisterExtension
    final TempRegistry a = TempRegistry.open("aeron-a-");
    @RegisterExtension
    final TempRegistry b = TempRegistry.open("aeron-b-");
    @RegisterExtension
    final Closer closer = new Closer();

    /**
     * The link of most tests, each part closed after the test.
     *
     * @param uri        where the bridges meet: a free UDP port on 127.0.0.1.
     * @param inbound    the inbound bridge, from {@code uri} to {@code dst} in B.
     * @param subscriber {@code dst}'s subscriber.
     * @param outbound   the outbound bridge, from {@code src} in A to {@code uri}.
     * @param publisher  {@code src}'s publisher.
     */
    private record Link(
        String uri, AeronBridge inbound, ShmSubscriber subscriber, AeronBridge outbound, ShmPublisher publisher)
    {
    }

    /**
     * Creates {@code src} in A (SPSC, 1 MiB) and links it to {@code dst} in B, attaching in this order: the inbound
     * bridge, {@code dst}'s subscriber, the outbound bridge, {@code src}'s publisher.
     *
     * @param inboundOptions the inbound bridge's options.
     */
    private Link link(final AeronBridge.Options inboundOptions) throws IOException
    {
        a.registry().create("src", ChannelConfig.spsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final AeronBridge inbound =
            closer.closing(AeronBridge.inbound(uri, STREAM, b.registry(), "dst", inboundOptions));
        final ShmSubscriber subscriber = closer.closing(b.registry().subscriber("dst"));
        final AeronBridge outbound = closer.closing(AeronBridge.outbound(a.registry(), "src", uri, STREAM));
        final ShmPublisher publisher = closer.closing(a.registry().publisher("src"));
        return new Link(uri, inbound, subscriber, outbound, publisher);
    }

    @Test
    void carriesRandomLengthMessagesInOrderOnce() throws Exception
    {
        final int count = 50_000;
        final Link link = link(new AeronBridge.Options());
        final String uri = link.uri();
        final AeronBridge inbound = link.inbound();
        final ShmSubscriber subscriber = link.subscriber();
        final AeronBridge outbound = link.outbound();
        final ShmPublisher publisher = link.publisher();

        final AtomicReference<Throwable> publisherFailure = new AtomicReference<>();
        final Thread sender = new Thread(() ->
        {
            try
            {
                send(publisher, 0, count, new SplittableRandom(42));
            }
            catch (final Throwable ex)
            {
                publisherFailure.set(ex);
            }
        });
        sender.start();

        final TestMessages messages = new TestMessages(MAX_LENGTH);
        final long[] next = {0};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (next[0] < count)
        {
            subscriber.poll((buffer, offset, length) ->
            {
                final long sequence = messages.verify(buffer, offset, length);
                assertEquals(next[0], sequence, "out of order, lost or duplicated");
                next[0]++;
            }, 256, 10, TimeUnit.MILLISECONDS);
            if (System.nanoTime() > deadline)
            {
                fail("received " + next[0] + " of " + count + "; outbound forwarded " + outbound.messagesForwarded() +
                    ", inbound " + inbound.messagesForwarded());
            }
        }
        sender.join();
        assertNull(publisherFailure.get());
        // a bridge counts a message just after handing it on: the counters may trail the delivery by a moment
        awaitTrue(() -> outbound.messagesForwarded() == count && inbound.messagesForwarded() == count,
            () -> "forwarded: outbound " + outbound.messagesForwarded() + ", inbound " + inbound.messagesForwarded());
        assertEquals(outbound.bytesForwarded(), inbound.bytesForwarded());
        // what another process (shmlink stat) reads from each embedded driver's counters file
        final List<BridgeCounters.Bridge> seenInA = BridgeCounters.readEmbedded(a.directory());
        assertEquals(1, seenInA.size(), seenInA::toString);
        assertEquals("out src -> " + uri + " stream " + STREAM, seenInA.get(0).description());
        assertEquals(count, seenInA.get(0).value(BridgeCounters.MESSAGES));
        assertEquals(outbound.bytesForwarded(), seenInA.get(0).value(BridgeCounters.BYTES));
        assertEquals(1, seenInA.get(0).value(BridgeCounters.LINK_UPS));
        final List<BridgeCounters.Bridge> seenInB = BridgeCounters.readEmbedded(b.directory());
        assertEquals(1, seenInB.size(), seenInB::toString);
        assertEquals("dst", seenInB.get(0).channel());
        assertEquals(count, seenInB.get(0).value(BridgeCounters.MESSAGES));
        assertEquals(0, inbound.oversizeDropped());
        assertEquals(1, outbound.linkUps());
        assertEquals(1, inbound.linkUps());
        assertTrue(outbound.isRunning() && inbound.isRunning());
        assertEquals(0, subscriber.poll((buffer, offset, length) -> fail("a message too many"), 10));

        final Path driverA = outbound.embeddedDriverDirectory();
        final Path driverB = inbound.embeddedDriverDirectory();
        assertEquals(a.directory(), driverA.getParent());
        assertTrue(Files.isDirectory(driverA) && Files.isDirectory(driverB));
        outbound.close();
        inbound.close();
        assertFalse(outbound.isRunning());
        assertFalse(Files.exists(driverA), "embedded driver's directory left behind");
        assertFalse(Files.exists(driverB), "embedded driver's directory left behind");
    }

    @Test
    void theBridgeThreadsAllocateNothingPerMessage() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        final Link link = link(new AeronBridge.Options());
        final AeronBridge inbound = link.inbound();
        final ShmSubscriber subscriber = link.subscriber();
        final AeronBridge outbound = link.outbound();
        final ShmPublisher publisher = link.publisher();
        final long[] bridgeThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("shmlink-bridge-out-src") || t.getName().equals("shmlink-bridge-in-dst"))
            .mapToLong(Thread::getId).toArray();
        assertEquals(2, bridgeThreads.length);

        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final int[] received = {0};
        final MessageHandlerCounter counter = new MessageHandlerCounter(received);
        long before = 0;
        final int warmUp = 20_000;
        final int measured = 100_000;
        for (int i = 0; i < warmUp + measured; i++)
        {
            if (i == warmUp)
            {
                awaitTrue(() -> subscriber.poll(counter, 256) >= 0 && inbound.messagesForwarded() == warmUp,
                    "warm-up did not get through");
                before = allocated(threads, bridgeThreads);
            }
            buffer.putInt(0, i);
            final int length = 4 + (i * 7919) % 3000; // some over a UDP frame: Aeron fragments and reassembles them
            while (publisher.offer(buffer, 0, length) < 0)
            {
                subscriber.poll(counter, 256);
            }
            subscriber.poll(counter, 256);
        }
        awaitTrue(() -> subscriber.poll(counter, 256) >= 0 && inbound.messagesForwarded() == warmUp + measured,
            () -> "inbound counted " + inbound.messagesForwarded());
        final long allocated = allocated(threads, bridgeThreads) - before;
        System.out.println("bridge threads allocated " + allocated + " bytes for " + measured + " messages");
        assertEquals(warmUp + measured, outbound.messagesForwarded());
        // a few objects of the JDK's parking or a class's first use may show; per message, nothing may
        assertTrue(allocated < 16 * 1024, "the bridge threads allocated " + allocated + " bytes for " + measured +
            " messages");
    }

    private static long allocated(final com.sun.management.ThreadMXBean threads, final long[] ids)
    {
        long total = 0;
        for (final long bytes : threads.getThreadAllocatedBytes(ids))
        {
            total += bytes;
        }
        return total;
    }

    /**
     * Counts messages without allocating.
     *
     * @param received one element, the count so far.
     */
    private record MessageHandlerCounter(int[] received) implements io.shmlink.api.MessageHandler
    {
        @Override
        public void onMessage(final org.agrona.DirectBuffer buffer, final int offset, final int length)
        {
            received[0]++;
        }
    }

    @Test
    void aFullLocalChannelHoldsAeronBackWithoutLoss() throws Exception
    {
        final int count = 3000;
        // 4 KiB ring: a few messages fill it
        final Link link = link(
            new AeronBridge.Options().localConfig(new ChannelConfig(io.shmlink.api.ChannelMode.SPSC, 4096, 512)));
        final AeronBridge inbound = link.inbound();
        final ShmSubscriber subscriber = link.subscriber();
        final ShmPublisher publisher = link.publisher();

        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(512));
        final TestMessages messages = new TestMessages(512);
        int sent = 0;
        // nobody reads "dst" yet: the inbound bridge must stop at a full ring and keep the rest in Aeron
        while (sent < count && inbound.backPressureEvents() == 0)
        {
            final int length = messages.encode(buffer, sent, TestMessages.OVERHEAD + random.nextInt(500), random);
            if (publisher.offer(buffer, 0, length) > 0)
            {
                sent++;
            }
        }
        awaitTrue(() -> inbound.backPressureEvents() > 0, "inbound bridge never saw a full local channel");
        final long forwardedWhileFull = inbound.messagesForwarded();
        assertTrue(forwardedWhileFull < sent, "a 4 KiB ring cannot hold " + forwardedWhileFull + " messages");
        final long[] next = {0};
        while (sent < count)
        {
            final int length = messages.encode(buffer, sent, TestMessages.OVERHEAD + random.nextInt(500), random);
            if (publisher.offer(buffer, 0, length) > 0)
            {
                sent++;
            }
            else
            {
                drainOnce(subscriber, messages, next);
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (next[0] < count && System.nanoTime() < deadline)
        {
            drainOnce(subscriber, messages, next);
        }
        assertEquals(count, next[0]);
        assertEquals(0, inbound.oversizeDropped());
        awaitTrue(() -> inbound.messagesForwarded() == count, () -> "inbound counted " + inbound.messagesForwarded());
    }

    private static void drainOnce(final ShmSubscriber subscriber, final TestMessages messages, final long[] next)
    {
        subscriber.poll((buffer, offset, length) ->
        {
            assertEquals(next[0], messages.verify(buffer, offset, length), "out of order, lost or duplicated");
            next[0]++;
        }, 64, 1, TimeUnit.MILLISECONDS);
    }

    @Test
    void aMessageLongerThanTheLocalChannelsMaximumIsCountedNotACrash() throws Exception
    {
        final Link link = link(new AeronBridge.Options().localConfig(ChannelConfig.spsc(64 * 1024)));
        final AeronBridge inbound = link.inbound();
        final ShmSubscriber subscriber = link.subscriber();
        final AeronBridge outbound = link.outbound();
        final ShmPublisher publisher = link.publisher();
        assertEquals(8192, subscriber.channelInfo().config().maxMessageLength());

        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(20_000));
        final TestMessages messages = new TestMessages(20_000);
        final SplittableRandom random = new SplittableRandom(3);
        offer(publisher, buffer, messages.encode(buffer, 0, 100, random));
        offer(publisher, buffer, messages.encode(buffer, 1, 20_000, random));
        offer(publisher, buffer, messages.encode(buffer, 2, 8192, random));

        final List<Long> received = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.size() < 2 && System.nanoTime() < deadline)
        {
            subscriber.poll((b, o, l) -> received.add(messages.verify(b, o, l)), 10, 10, TimeUnit.MILLISECONDS);
        }
        assertEquals(List.of(0L, 2L), received);
        assertEquals(1, inbound.oversizeDropped());
        awaitTrue(() -> inbound.messagesForwarded() == 2, () -> "inbound counted " + inbound.messagesForwarded());
        assertEquals(3, outbound.messagesForwarded());
        assertTrue(inbound.isRunning());
        assertNull(inbound.failure());
    }

    /**
     * A deleted local channel refuses the inbound bridge's offers (CLOSED). The bridge stops and says why; before,
     * Aeron swallowed the handler's exception and the bridge went on consuming, and so dropping, every message.
     */
    @Test
    void anInboundBridgeWhoseLocalChannelIsDeletedStopsAndSaysWhy() throws Exception
    {
        a.registry().create("src", ChannelConfig.spsc(1 << 20));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        final AeronBridge inbound = closer.closing(AeronBridge.inbound(uri, STREAM, b.registry(), "dst"));
        final AeronBridge outbound = closer.closing(AeronBridge.outbound(a.registry(), "src", uri, STREAM));
        final ShmPublisher publisher = closer.closing(a.registry().publisher("src"));
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        final TestMessages messages = new TestMessages(1024);
        final SplittableRandom random = new SplittableRandom(5);
        assertTrue(b.registry().delete("dst"));
        for (long seq = 0; seq < 10; seq++)
        {
            offer(publisher, buffer, messages.encode(buffer, seq, 100, random));
        }
        awaitTrue(() -> !inbound.isRunning(), "the inbound bridge went on into a deleted channel");
        assertNotNull(inbound.failure());
        assertTrue(inbound.failure().getMessage().contains("dst"), inbound.failure().getMessage());
        assertEquals(0, inbound.messagesForwarded());
        assertTrue(outbound.isRunning());
    }

    @Test
    void anOutboundBridgeEvictedFromAFanOutChannelJoinsAgainLiveAndCountsIt() throws Exception
    {
        a.registry().create("prices", ChannelConfig.spmc(1 << 16, 2), java.time.Duration.ofMillis(200));
        final String uri = TestMessages.udp(TestMessages.freeUdpPort());
        // no inbound bridge yet: the link is down, the outbound bridge reads nothing and holds the publisher back
        final AeronBridge outbound = closer.closing(AeronBridge.outbound(a.registry(), "prices", uri, STREAM));
        final ShmPublisher publisher = closer.closing(a.registry().publisher("prices"));
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(512));
        final TestMessages messages = new TestMessages(512);
        final SplittableRandom random = new SplittableRandom(11);
        long result;
        long sequence = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do
        {
            result = publisher.offer(buffer, 0, messages.encode(buffer, sequence, 256, random));
            sequence += result > 0 ? 1 : 0;
            assertTrue(System.nanoTime() < deadline, "the stalled bridge was never evicted");
        }
        while (result != Publisher.NOT_CONNECTED); // evicted: no subscriber left
        assertFalse(outbound.isLinkUp());

        final AeronBridge inbound = closer.closing(AeronBridge.inbound(uri, STREAM, b.registry(), "prices"));
        final ShmSubscriber subscriber = closer.closing(b.registry().subscriber("prices"));
        awaitTrue(() -> outbound.evictions() == 1, "the bridge did not notice its eviction once the link was up");
        awaitTrue(publisher::isConnected, "the bridge did not join again");
        assertTrue(outbound.isRunning());

        final long first = 1_000_000;
        for (long s = first; s < first + 100; s++)
        {
            offer(publisher, buffer, messages.encode(buffer, s, 100, random));
        }
        final long[] next = {first};
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (next[0] < first + 100 && System.nanoTime() < end)
        {
            drainOnce(subscriber, messages, next);
        }
        assertEquals(first + 100, next[0], "what was sent after the rejoin arrives, in order, once");
        awaitTrue(() -> inbound.messagesForwarded() == 100, () -> "inbound counted " + inbound.messagesForwarded());
    }

    @Test
    void anExternalDriverIsUsedByItsDirectoryAndStaleDriverDirectoriesAreCleaned() throws Exception
    {
        final Path aeronDir = a.directory().resolve("external-driver");
        try (io.aeron.driver.MediaDriver driver = io.aeron.driver.MediaDriver.launch(
            new io.aeron.driver.MediaDriver.Context().aeronDirectoryName(aeronDir.toString())
                .dirDeleteOnStart(true).dirDeleteOnShutdown(true)))
        {
            final String uri = TestMessages.udp(TestMessages.freeUdpPort());
            final AeronBridge.Options external =
                new AeronBridge.Options().aeronDir(Path.of(driver.aeronDirectoryName()));
            final AeronBridge inbound =
                closer.closing(AeronBridge.inbound(uri, STREAM, b.registry(), "dst", external));
            final ShmSubscriber subscriber = closer.closing(b.registry().subscriber("dst"));
            final AeronBridge outbound =
                closer.closing(AeronBridge.outbound(a.registry(), "src", uri, STREAM, external));
            assertNull(inbound.embeddedDriverDirectory());
            assertNull(outbound.embeddedDriverDirectory());
            assertEquals(AeronBridge.DEFAULT_LOCAL_CONFIG, a.registry().lookup("src").orElseThrow().config());
            final ShmPublisher publisher = closer.closing(a.registry().publisher("src"));
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final TestMessages messages = new TestMessages(64);
            offer(publisher, buffer, messages.encode(buffer, 99, 64, new SplittableRandom(1)));
            final long[] got = {-1};
            awaitTrue(() -> subscriber.poll((b, o, l) -> got[0] = messages.verify(b, o, l), 1) > 0,
                "nothing arrived through the external driver");
            assertEquals(99, got[0]);
            inbound.close();
            outbound.close();
            assertTrue(Files.isDirectory(aeronDir), "a bridge must not delete an external driver's directory");
        }

        // a directory named for a process that is gone, and one for this live process
        final Path stale = Files.createDirectories(b.directory().resolve(".aeron-" + Integer.MAX_VALUE + "-1"));
        Files.writeString(stale.resolve("cnc.dat"), "x");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 120_000)); // past start-up
        final Path live =
            Files.createDirectories(b.directory().resolve(".aeron-" + ProcessHandle.current().pid() + "-99"));
        assertEquals(List.of(stale), AeronBridge.cleanStaleDrivers(b.directory()));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live));
        Files.delete(live);
    }

    static void send(final Publisher publisher, final long first, final long count, final SplittableRandom random)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
        final TestMessages messages = new TestMessages(MAX_LENGTH);
        for (long sequence = first; sequence < first + count; sequence++)
        {
            offer(publisher, buffer, messages.encode(buffer, sequence, TestMessages.randomLength(random, MAX_LENGTH),
                random));
        }
    }

    static void offer(final Publisher publisher, final UnsafeBuffer buffer, final int length)
    {
        long result;
        while ((result = publisher.offer(buffer, 0, length)) < 0)
        {
            if (result == Publisher.CLOSED)
            {
                throw new IllegalStateException("publisher closed");
            }
            Thread.onSpinWait();
        }
    }

    static void awaitTrue(final BooleanSupplier condition, final String message)
    {
        awaitTrue(condition, () -> message);
    }

    static void awaitTrue(final BooleanSupplier condition, final Supplier<String> message)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail(message.get());
            }
            Thread.yield();
        }
    }
}
