package io.shmlink.chronicle;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.testing.TempRegistry;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Publisher and subscriber in one JVM: lengths, the view's bounds, failures half-way through a write, refusals of
 * messages that do not fit, and allocation once warm.
 */
class BytesPublisherTest
{
    private static final int CAPACITY = 1 << 16;
    private static final int MAX = CAPACITY / 8;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-chronicle-unit-");
    private BytesPublisher publisher;
    private BytesSubscriber subscriber;

    @BeforeEach
    void setUp()
    {
        shm.registry().create("orders", ChannelConfig.spsc(CAPACITY));
        publisher = new BytesPublisher(shm.registry().publisher("orders"));
        subscriber = new BytesSubscriber(shm.registry().subscriber("orders"));
    }

    @AfterEach
    void tearDown()
    {
        publisher.close();
        subscriber.close();
    }

    /** What {@code writeMarshallable} writes, measured on the heap. */
    private static long writtenLength(final BytesMarshallable message)
    {
        final Bytes<byte[]> heap = Bytes.allocateElasticOnHeap(64);
        message.writeMarshallable(heap);
        final long length = heap.writePosition();
        heap.releaseLast();
        return length;
    }

    private long lostClaims()
    {
        return shm.registry().lookup("orders").orElseThrow().lostClaims();
    }

    /** Polls one batch into a list of the orders' ids, asserting each is the expected order of the stream. */
    private List<Long> pollOrders()
    {
        final List<Long> ids = new ArrayList<>();
        subscriber.poll(new TestOrder(), order ->
        {
            assertNull(order.differenceFrom(order.orderId));
            ids.add(order.orderId);
        }, 100);
        return ids;
    }

    @Test
    void eachMessageIsExactlyWhatWriteMarshallableWroteAndTheViewEndsThere()
    {
        final TestOrder order = new TestOrder();
        final TestOrder read = new TestOrder();
        final List<Long> lengths = new ArrayList<>();
        final List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            assertTrue(publisher.offer(order.fill(i)) > 0);
            expected.add(writtenLength(order));
            final long n = i;
            assertEquals(1, subscriber.poll(bytes ->
            {
                lengths.add(bytes.readRemaining());
                assertEquals(0, bytes.readPosition());
                read.readMarshallable(bytes);
                assertNull(read.differenceFrom(n));
                assertEquals(0, bytes.readRemaining(), "the view ends where the message does");
            }, 8));
        }
        assertEquals(expected, lengths);
        assertTrue(expected.stream().distinct().count() > 5, "lengths vary with the symbol: " + expected);
    }

    @Test
    void claimsAreFittedToTheMessagesSoTheRingHoldsFarMoreThanMaximumClaimsWould()
    {
        final TestOrder order = new TestOrder();
        long longest = 0;
        int sent = 0;
        while (sent < CAPACITY && publisher.offer(order.fill(sent)) > 0) // a ring of records holds fewer
        {
            longest = Math.max(longest, writtenLength(order));
            sent++;
        }
        assertEquals(Publisher.BACK_PRESSURED, publisher.offer(order.fill(sent)));
        // the first claims the maximum; the rest at most twice the longest (a longer one is aborted and written
        // again into a claim twice as long), most exactly the longest
        final long record = (2 * longest + 8 + 7) / 8 * 8;
        assertTrue(sent >= (CAPACITY - 8 - (MAX + 8)) / record,
            sent + " messages of at most " + longest + " bytes in a ring of " + CAPACITY);
        assertTrue(sent > 4 * (CAPACITY - 8) / (MAX + 8), "maximum-length claims would hold 7: " + sent);
        int polled = 0;
        List<Long> batch;
        while (!(batch = pollOrders()).isEmpty())
        {
            for (final long id : batch)
            {
                assertEquals(polled++, id);
            }
        }
        assertEquals(sent, polled);
    }

    @Test
    void aMessageLongerThanAnyBeforeIsWrittenAgainIntoALargerClaimAndArrivesOnce()
    {
        final TestOrder order = new TestOrder();
        assertTrue(publisher.offer(order.fill(0)) > 0); // claims are now fitted to this one
        final TestOrder longer = new TestOrder().fill(1);
        longer.symbol.setLength(0);
        longer.symbol.append("S".repeat(200)); // outgrows the fitted claim
        assertTrue(publisher.offer(longer) > 0);
        final List<String> symbols = new ArrayList<>();
        final TestOrder read = new TestOrder();
        assertEquals(2, subscriber.poll(bytes ->
        {
            read.readMarshallable(bytes);
            symbols.add(read.symbol.toString());
        }, 8));
        assertEquals(List.of(order.symbol.toString(), longer.symbol.toString()), symbols);
        assertEquals(0, lostClaims(), "the outgrown claim was aborted, not left to time out");
    }

    @Test
    void aSmallerClaimLengthLetsTheRingHoldMore()
    {
        publisher.close();
        publisher = new BytesPublisher(shm.registry().publisher("orders"), 120);
        final TestOrder order = new TestOrder();
        int sent = 0;
        while (sent < CAPACITY && publisher.offer(order.fill(sent)) > 0) // a ring of records holds fewer
        {
            sent++;
        }
        final int record = RecordDescriptor.recordLength(120);
        assertTrue(sent >= (CAPACITY - RecordDescriptor.HEADER_LENGTH) / record, sent + ": records of " + record +
            " bytes at most");
        assertEquals(100, pollOrders().size());
    }

    @Test
    void aWriteMarshallableThatThrowsHalfwayDeliversNothingLeavesNoClaimAndThePublisherGoesOn()
    {
        final IllegalStateException boom = new IllegalStateException("boom");
        final BytesMarshallable failing = new BytesMarshallable()
        {
            @Override
            public void writeMarshallable(final BytesOut<?> bytes)
            {
                bytes.writeLong(0xBAD);
                bytes.writeLong(0xBAD);
                throw boom;
            }
        };
        final TestOrder order = new TestOrder();
        assertTrue(publisher.offer(order.fill(0)) > 0);
        assertSame(boom, assertThrows(IllegalStateException.class, () -> publisher.offer(failing)));
        assertEquals(List.of(0L), pollOrders(), "the message before, and nothing of the failed write");
        for (int i = 0; i < 3 * CAPACITY / MAX; i++)      // more failures than the ring holds claims
        {
            assertSame(boom, assertThrows(IllegalStateException.class, () -> publisher.offer(failing)));
            assertEquals(List.of(), pollOrders(), "nothing of the failed write");
        }
        assertTrue(publisher.offer(order.fill(1)) > 0, "the publisher is usable: every failed claim was aborted");
        assertEquals(List.of(1L), pollOrders());
        assertEquals(0, lostClaims(), "no claim was left to time out");
    }

    @Test
    void aMarshallableLongerThanTheChannelMaximumIsRefusedNamingBothLengthsAndLeavesNoClaim()
    {
        final BytesMarshallable tooLong = new BytesMarshallable()
        {
            @Override
            public void writeMarshallable(final BytesOut<?> bytes)
            {
                for (int i = 0; i < (MAX + 100) / 4; i++)
                {
                    bytes.writeInt(i);
                }
            }
        };
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> publisher.offer(tooLong));
        assertTrue(ex.getMessage().contains("message length " + (MAX + 100)) &&
            ex.getMessage().contains("maximum message length " + MAX), ex.getMessage());
        assertEquals(List.of(), pollOrders());
        assertTrue(publisher.offer(new TestOrder().fill(5)) > 0);
        assertEquals(List.of(5L), pollOrders());
        assertEquals(0, lostClaims());
    }

    @Test
    void aMarshallableLongerThanTheClaimLengthIsRefusedNamingBothAndTheChannelMaximum()
    {
        publisher.close();
        final Publisher raw = shm.registry().publisher("orders");
        assertThrows(IllegalArgumentException.class, () -> new BytesPublisher(raw, MAX + 1));
        publisher = new BytesPublisher(raw, 90);
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> publisher.offer(new TestOrder().fill(12)));
        final long length = writtenLength(new TestOrder().fill(12));
        assertTrue(ex.getMessage().contains("message length " + length) && ex.getMessage().contains(" 90 ") &&
            ex.getMessage().contains("" + MAX), ex.getMessage());
        assertEquals(List.of(), pollOrders());
        assertTrue(publisher.offer(new TestOrder().fill(0)) > 0, "a shorter one fits");
        assertEquals(List.of(0L), pollOrders());
        assertEquals(0, lostClaims());
    }

    @Test
    void aBytesStoreRangeIsSentFromReadPositionToReadLimitAndLeftUnmoved()
    {
        final Bytes<byte[]> source = Bytes.allocateElasticOnHeap(64);
        source.writeLong(1).writeLong(2).writeLong(3);
        source.readPosition(8);
        source.readLimit(16);
        assertTrue(publisher.offer(source) > 0);
        assertEquals(8, source.readPosition());
        assertEquals(16, source.readLimit());
        final long[] got = new long[2];
        assertEquals(1, subscriber.poll(bytes ->
        {
            got[0] = bytes.readRemaining();
            got[1] = bytes.readLong();
        }, 10));
        assertArrayEquals(new long[] {8, 2}, got);
        source.releaseLast();
    }

    @Test
    void aBytesStoreRangeLongerThanTheChannelMaximumIsRefusedBeforeAnythingIsClaimed()
    {
        final Bytes<byte[]> source = Bytes.allocateElasticOnHeap(MAX + 1);
        source.writeSkip(MAX + 1);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> publisher.offer(source));
        assertTrue(ex.getMessage().contains("message length " + (MAX + 1)) &&
            ex.getMessage().contains("maximum message length " + MAX), ex.getMessage());
        final Bytes<byte[]> largest = Bytes.allocateElasticOnHeap(MAX);
        largest.writeSkip(MAX);
        int sent = 0;
        while (sent < CAPACITY && publisher.offer(largest) > 0)
        {
            sent++;
        }
        assertEquals((CAPACITY - 8) / (MAX + 8), sent, "the whole ring is still free: as many maxima as ever fit");
        largest.releaseLast();
        source.releaseLast();
    }

    @Test
    void offerAndPollAllocateNothingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final TestOrder out = new TestOrder();
        final TestOrder in = new TestOrder();
        final long[] received = {0};
        final Consumer<TestOrder> count = order -> received[0] += order.orderId;
        long allocated = -1;
        for (int round = 0; round < 20 && allocated != 0; round++)  // warm-up rounds until the JIT settles
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 20_000; i++)
            {
                if (publisher.offer(out.fill(i)) <= 0 || subscriber.poll(in, count, 1) != 1)
                {
                    fail("offer or poll failed at " + i);
                }
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        assertEquals(0, allocated, "bytes allocated by 20,000 offers and polls once warm");
        assertTrue(received[0] > 0);
    }
}
