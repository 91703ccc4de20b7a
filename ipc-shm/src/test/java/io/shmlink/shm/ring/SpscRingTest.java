package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.segment.InMemorySegments;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static io.shmlink.shm.ring.RecordDescriptor.recordLength;
import static org.junit.jupiter.api.Assertions.*;

class SpscRingTest
{
    private static final int CAPACITY = 4096;

    /** In /dev/shm: a registry refuses a directory on disk. */
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("spsc-ring-test-");

    private Publisher publisher;
    private Subscriber subscriber;
    private final List<byte[]> received = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        shm.registry().create("ring", ChannelConfig.spsc(CAPACITY));
        publisher = shm.registry().publisher("ring");
        subscriber = shm.registry().subscriber("ring");
    }

    private long offer(final int length, final int fill)
    {
        final byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte)fill);
        return publisher.offer(new UnsafeBuffer(bytes), 0, length);
    }

    private int poll(final int limit)
    {
        return subscriber.poll((buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            received.add(bytes);
        }, limit);
    }

    /** A claim of {@code length} bytes on {@code to}, which must succeed. */
    private static BufferClaim claimed(final Publisher to, final int length)
    {
        final BufferClaim claim = new BufferClaim();
        assertTrue(to.tryClaim(length, claim) > 0, "the claim was refused");
        return claim;
    }

    private static void assertFilled(final byte[] bytes, final int length, final int fill)
    {
        assertEquals(length, bytes.length);
        for (final byte b : bytes)
        {
            assertEquals((byte)fill, b);
        }
    }

    @Test
    void deliversMessagesInOrderWithTheirBytes()
    {
        assertEquals(recordLength(5), offer(5, 1));
        assertEquals(recordLength(5) + recordLength(13), offer(13, 2));
        assertEquals(2, poll(10));
        assertFilled(received.get(0), 5, 1);
        assertFilled(received.get(1), 13, 2);
        assertEquals(0, poll(10));
    }

    @Test
    void wrapsAroundThroughAPaddingRecord()
    {
        // records that do not divide the ring, so that each crossing of its end needs padding
        final int length = CAPACITY / 8 - HEADER_LENGTH - ALIGNMENT;
        assertNotEquals(0, CAPACITY % recordLength(length));
        long position = 0;
        for (int lap = 0; lap < 5; lap++)
        {
            for (int i = 0; i < 7; i++)
            {
                final long result = offer(length, lap * 10 + i);
                assertTrue(result > position, "position grows");
                position = result;
                assertEquals(1, poll(1));
                assertFilled(received.get(received.size() - 1), length, lap * 10 + i);
            }
        }
        assertTrue(position > 35L * recordLength(length), "padding was inserted: " + position);
        assertEquals(35, received.size());
    }

    @Test
    void aRecordThatEndsExactlyAtTheEndNeedsNoPadding()
    {
        final int length = CAPACITY / 8 - HEADER_LENGTH; // aligned frame = 512 bytes
        for (int i = 0; i < 7; i++)
        {
            assertEquals((i + 1) * 512L, offer(length, i));
        }
        assertEquals(7, poll(100));
        assertEquals(CAPACITY, offer(length, 7), "the eighth record ends exactly at the end of the ring");
        assertEquals(CAPACITY + 512L, offer(length, 8), "the next starts at index 0 with no padding");
        assertEquals(2, poll(100));
        assertFilled(received.get(7), length, 7);
        assertFilled(received.get(8), length, 8);
    }

    @Test
    void theRingKeepsOneHeaderOfRoomSoThePublisherCanZeroTheNextHeader()
    {
        final int length = CAPACITY / 8 - HEADER_LENGTH;
        for (int i = 0; i < 7; i++)
        {
            assertTrue(offer(length, i) > 0);
        }
        assertEquals(Publisher.BACK_PRESSURED, offer(length, 7), "512 more would leave no room past the end");
        assertEquals(CAPACITY - ALIGNMENT, offer(length - ALIGNMENT, 7), "a record one alignment shorter fits");
        assertEquals(8, poll(100));
    }

    @Test
    void carriesAMessageOfMaximumLength()
    {
        assertEquals(CAPACITY / 8, publisher.maxMessageLength());
        assertTrue(offer(CAPACITY / 8, 7) > 0);
        assertEquals(1, poll(1));
        assertFilled(received.get(0), CAPACITY / 8, 7);
    }

    @Test
    void rejectsAMessageLongerThanTheMaximumWithTheNumbers()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> offer(CAPACITY / 8 + 1, 0));
        assertTrue(ex.getMessage().startsWith("message length 513 exceeds the maximum 512 of channel 'ring' " +
            "(capacity 4 KiB; a message is at most capacity / 8); a channel of capacity 8 KiB or more would hold " +
            "it; for data of any size, use a stream socket (io.shmlink.shm.socket.ShmSocket)"), ex.getMessage());
    }

    @Test
    void aMessageNoChannelCanHoldIsRefusedNamingTheLargestAndTheSockets()
    {
        final BufferClaim claim = new BufferClaim();
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(200 << 20, claim));
        assertTrue(ex.getMessage().contains("no channel holds it: the largest capacity, 1 GiB, takes messages of up " +
            "to 128 MiB; for data of any size, use a stream socket"), ex.getMessage());
        final IllegalArgumentException negative =
            assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(-1, claim));
        assertEquals("message length -1 is negative (channel 'ring')", negative.getMessage());
    }

    @Test
    void rejectsNegativeLengthNegativeOffsetAndOffsetPastTheBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThrows(IllegalArgumentException.class, () -> publisher.offer(buffer, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> publisher.offer(buffer, -1, 4));
        assertThrows(IllegalArgumentException.class, () -> publisher.offer(buffer, 61, 4));
        assertThrows(IllegalArgumentException.class, () -> publisher.offer(buffer, 65, 0));
        assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(-1, new BufferClaim()));
        assertEquals(0, poll(10), "nothing was sent");
    }

    @Test
    void carriesZeroLengthMessages()
    {
        assertEquals(recordLength(0), offer(0, 0));
        assertEquals(2 * recordLength(0), offer(0, 0));
        assertEquals(2, poll(10));
        assertEquals(0, received.get(0).length);
        assertEquals(0, received.get(1).length);
    }

    @Test
    void aCommittedClaimIsDeliveredWithoutACopy()
    {
        final BufferClaim claim = new BufferClaim();
        assertEquals(recordLength(8), publisher.tryClaim(8, claim));
        assertEquals(8, claim.length());
        claim.buffer().putLong(claim.offset(), 0x1122334455667788L);
        assertEquals(0, poll(10), "invisible before commit");
        claim.commit();
        final long[] value = new long[1];
        assertEquals(1, subscriber.poll((buffer, offset, length) -> value[0] = buffer.getLong(offset), 10));
        assertEquals(0x1122334455667788L, value[0]);
    }

    @Test
    void anAbortedClaimIsNeverDelivered()
    {
        final BufferClaim claim = claimed(publisher, 100);
        claim.buffer().setMemory(0, 100, (byte)5);
        claim.abort();
        assertTrue(offer(3, 9) > 0);
        assertEquals(1, poll(10));
        assertFilled(received.get(0), 3, 9);
    }

    @Test
    void aClaimCommittedShorterDeliversWhatWasWrittenAndTheRestIsSkipped()
    {
        final BufferClaim claim = new BufferClaim();
        final long end = publisher.tryClaim(100, claim);
        claim.buffer().setMemory(0, 100, (byte)7);
        claim.commit(13);
        assertTrue(offer(3, 9) > end, "the next record starts after the whole claim");
        assertEquals(2, poll(10));
        for (int i = 0; i < 2 * CAPACITY / recordLength(100); i++) // laps the ring: the padding is read past each time
        {
            assertTrue(publisher.tryClaim(100, claim) > 0);
            claim.buffer().setMemory(0, 100, (byte)i);
            claim.commit(i % 2 == 0 ? 0 : 40);             // both a line shorter than the claim's record
            assertEquals(1, poll(10));
        }
        assertEquals(2 + 2 * CAPACITY / recordLength(100), received.size());
        assertFilled(received.get(0), 13, 7);
        assertFilled(received.get(1), 3, 9);
        assertFilled(received.get(2), 0, 0);
        assertFilled(received.get(3), 40, 1);
    }

    @Test
    void aShorterCommitOfMoreThanTheClaimIsRefusedAndKeepsTheClaim()
    {
        final BufferClaim claim = claimed(publisher, 16);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> claim.commit(17));
        assertTrue(ex.getMessage().contains("17") && ex.getMessage().contains("16"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> claim.commit(-1));
        assertEquals(0, poll(10), "nothing visible");
        claim.buffer().putLong(0, 42);
        claim.commit(8);
        assertEquals(1, poll(10));
        assertEquals(8, received.get(0).length);
        assertThrows(IllegalStateException.class, () -> claim.commit(0));
    }

    @Test
    void aClaimCommittedAfterItsPublisherClosedLeavesTheNextPublishersMessagesWhole()
    {
        assertTrue(publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0); // a commit zeroes ahead from here on
        final BufferClaim claim = claimed(publisher, 8);
        claim.buffer().setMemory(claim.offset(), 8, (byte)1);
        publisher.close();
        publisher = shm.registry().publisher("ring");
        assertTrue(offer(8, 2) > 0);
        assertTrue(offer(8, 3) > 0);

        claim.commit();

        assertEquals(4, poll(10));
        for (int i = 1; i <= 3; i++) // the claimed message, then the next publisher's two, each filled with its index
        {
            assertFilled(received.get(i), 8, i);
        }
    }

    @Test
    void aClaimCannotBeCompletedTwice()
    {
        final BufferClaim claim = claimed(publisher, 4);
        claim.commit();
        assertThrows(IllegalStateException.class, claim::commit);
        assertThrows(IllegalStateException.class, claim::abort);
    }

    @Test
    void aFullRingReturnsBackPressuredUntilTheSubscriberConsumes()
    {
        final int length = 150; // records that do not divide the ring: the end needs padding
        int sent = 0;
        while (offer(length, sent) > 0)
        {
            sent++;
        }
        assertEquals((CAPACITY - HEADER_LENGTH) / recordLength(length), sent, "each record and the header after it");
        assertEquals(Publisher.BACK_PRESSURED, offer(length, 0));
        assertEquals(1, poll(1));
        assertEquals(Publisher.BACK_PRESSURED, offer(length, 0),
            "padding to the end, the record and the header after it need more than one record freed");
        assertEquals(1, poll(1));
        assertTrue(offer(length, 99) > 0);
        assertEquals(sent - 1, poll(1000));
        assertFilled(received.get(sent), length, 99);
    }

    @Test
    void pollHandsOverAtMostTheMessageLimit()
    {
        for (int i = 0; i < 10; i++)
        {
            offer(8, i);
        }
        assertEquals(3, poll(3));
        assertEquals(0, poll(0));
        assertEquals(7, poll(100));
        for (int i = 0; i < 10; i++)
        {
            assertFilled(received.get(i), 8, i);
        }
    }

    @Test
    void offerOfAByteBufferSendsPositionToLimitAndLeavesThePosition()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(32);
        for (int i = 0; i < 32; i++)
        {
            direct.put(i, (byte)i);
        }
        direct.position(4).limit(12);
        assertTrue(publisher.offer(direct) > 0);
        assertEquals(4, direct.position());
        assertEquals(12, direct.limit());
        final ByteBuffer heap = ByteBuffer.wrap(new byte[]{1, 2, 3});
        assertTrue(publisher.offer(heap) > 0);
        assertEquals(2, poll(10));
        assertArrayEquals(new byte[]{4, 5, 6, 7, 8, 9, 10, 11}, received.get(0));
        assertArrayEquals(new byte[]{1, 2, 3}, received.get(1));
    }

    @Test
    void aHandlerThatThrowsConsumesTheMessageItWasGiven()
    {
        offer(1, 1);
        offer(1, 2);
        assertThrows(IllegalStateException.class, () -> subscriber.poll((b, o, l) ->
        {
            throw new IllegalStateException("handler failure");
        }, 10));
        assertEquals(1, poll(10));
        assertFilled(received.get(0), 1, 2);
    }

    @Test
    void aLaterSubscriberResumesWhereThePreviousOneStopped()
    {
        for (int i = 0; i < 5; i++)
        {
            offer(4, i);
        }
        assertEquals(2, poll(2));
        subscriber.close();
        subscriber = shm.registry().subscriber("ring");
        assertEquals(3, poll(10));
        assertFilled(received.get(2), 4, 2);
        assertFilled(received.get(4), 4, 4);
    }

    @Test
    void messagesOfferedBeforeAnySubscriberAttachedAreDelivered()
    {
        shm.registry().create("early", ChannelConfig.spsc(CAPACITY));
        final Publisher early = shm.registry().publisher("early");
        assertTrue(early.offer(new UnsafeBuffer(new byte[]{42}), 0, 1) > 0);
        final Subscriber late = shm.registry().subscriber("early");
        final int[] value = new int[1];
        assertEquals(1, late.poll((b, o, l) -> value[0] = b.getByte(o), 10));
        assertEquals(42, value[0]);
    }

    @Test
    void aPublisherIsNotConnectedWhileItsSubscriberIsClosedAndRecoversWhenOneAttaches()
    {
        subscriber.close();
        assertEquals(Publisher.NOT_CONNECTED, offer(4, 1));
        subscriber = shm.registry().subscriber("ring");
        assertTrue(offer(4, 2) > 0);
        assertEquals(1, poll(10));
        assertFilled(received.get(0), 4, 2);
    }

    @Test
    void aClosedPublisherReturnsClosedAndAClosedSubscriberDeliversNothing()
    {
        offer(4, 1);
        publisher.close();
        assertEquals(Publisher.CLOSED, offer(4, 1));
        assertEquals(Publisher.CLOSED, publisher.tryClaim(4, new BufferClaim()));
        subscriber.close();
        assertEquals(0, poll(10));
    }

    @Test
    void closingTheRegistryClosesItsPublishersAndSubscribers()
    {
        shm.registry().close();
        assertEquals(Publisher.CLOSED, offer(4, 1));
    }

    @Test
    void aSkippedClaimOfALivePublisherIsCountedAsLostAfterTheTimeout()
    {
        shm.reopen(new ShmRegistry.Options().claimTimeout(java.time.Duration.ofMillis(50)));
        shm.registry().create("stall", new ChannelConfig(ChannelMode.SPSC, CAPACITY, 64));
        final Publisher stalled = shm.registry().publisher("stall");
        final ShmSubscriber reader = shm.registry().subscriber("stall");
        final BufferClaim claim = claimed(stalled, 8);
        assertTrue(stalled.offer(new UnsafeBuffer(new byte[]{7}), 0, 1) > 0);
        final int[] got = new int[2];
        final long start = System.nanoTime();
        while (got[0] == 0 && System.nanoTime() - start < 5_000_000_000L)
        {
            reader.poll((b, o, l) ->
            {
                got[0]++;
                got[1] = b.getByte(o);
            }, 10);
        }
        assertEquals(1, got[0], "the message after the stalled claim arrives");
        assertEquals(7, got[1]);
        assertEquals(1, reader.lostClaims());
        assertTrue(System.nanoTime() - start >= 50_000_000L, "not skipped before the timeout");
    }

    @Test
    void aClosedPublisherStaysClosedWhateverTheSegmentSaysOfTheSubscriber()
    {
        assertTrue(offer(4, 1) > 0, "the publisher was sending, so it had cached the subscriber's token");
        publisher.close();
        // the value a closed publisher's cached token is reset to: a scribbled segment must not revive it
        io.shmlink.shm.testing.SegmentEditor.edit(shm.directory().resolve("ring"),
            buffer -> buffer.putLongVolatile(SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET, Long.MIN_VALUE));
        assertEquals(Publisher.CLOSED, offer(4, 2));
        assertEquals(Publisher.CLOSED, publisher.offer(ByteBuffer.allocate(4)));
        assertEquals(Publisher.CLOSED, publisher.tryClaim(4, new BufferClaim()));
    }

    @Test
    void argumentErrorsComeBeforeTheClosedStatus()
    {
        publisher.close();
        assertThrows(IllegalArgumentException.class, () -> offer(CAPACITY / 8 + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(-1, new BufferClaim()));
    }

    @Test
    void aClaimNotHandedOutByTheRingCannotBeCommittedOrAborted()
    {
        final RingWriter writer = new SpscRingWriter(InMemorySegments.create(ChannelConfig.spsc(CAPACITY)), 129);
        final BufferClaim claim = new BufferClaim();
        claim.wrap(writer, 0, SegmentDescriptor.RING_OFFSET + CAPACITY, 8); // one record past the end of the ring
        assertThrows(IllegalArgumentException.class, claim::commit);
        final BufferClaim misaligned = new BufferClaim();
        misaligned.wrap(writer, 0, SegmentDescriptor.RING_OFFSET + 4, 8);
        assertThrows(IllegalArgumentException.class, misaligned::abort);
        final BufferClaim inHeader = new BufferClaim();
        inHeader.wrap(writer, 0, SegmentDescriptor.TAIL_POSITION_OFFSET, 8);
        assertThrows(IllegalArgumentException.class, inHeader::commit);
    }

    @Test
    void everyOfferThatStartsAfterCloseReturnedIsClosedEvenWithAnotherThreadOffering() throws Exception
    {
        publisher.close();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        for (int round = 0; round < 200; round++)
        {
            final Publisher shared = shm.registry().publisher("ring");
            final java.util.concurrent.atomic.AtomicLong offers = new java.util.concurrent.atomic.AtomicLong();
            final java.util.concurrent.atomic.AtomicLong sentAfterClose = new java.util.concurrent.atomic.AtomicLong();
            final java.util.concurrent.atomic.AtomicBoolean closeReturned =
                new java.util.concurrent.atomic.AtomicBoolean();
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread offering = new Thread(() ->
            {
                while (!stop.get())
                {
                    final boolean afterClose = closeReturned.get();
                    final long result = shared.offer(message, 0, 8); // the ring fills: BACK_PRESSURED until closed
                    if (afterClose && result != Publisher.CLOSED)
                    {
                        sentAfterClose.incrementAndGet();
                    }
                    offers.incrementAndGet();
                }
            });
            offering.start();
            awaitCount(offers, 100);
            shared.close();
            closeReturned.set(true);
            final long atClose = offers.get();
            awaitCount(offers, atClose + 100);
            stop.set(true);
            offering.join();
            assertEquals(0, sentAfterClose.get(), "round " + round + ": offers after close() returned");
            poll(Integer.MAX_VALUE); // empty the ring for the next round
        }
    }

    private static void awaitCount(final java.util.concurrent.atomic.AtomicLong count, final long target)
    {
        while (count.get() < target)
        {
            Thread.onSpinWait();
        }
    }
}
