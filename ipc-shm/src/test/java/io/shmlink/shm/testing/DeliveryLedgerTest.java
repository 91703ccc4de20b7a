package io.shmlink.shm.testing;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The soak's oracle must be able to fail: these pin down what {@link DeliveryLedger} accepts from a successor
 * of a subscriber killed inside a poll, and what it refuses.
 */
class DeliveryLedgerTest
{
    private static final int MAX_LENGTH = 64;

    @TempDir
    Path dir;

    private final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);

    private void hand(final DeliveryLedger.Subscriber subscriber, final int publisher, final long seq)
    {
        subscriber.onMessage(scratch, 0, messages.write(publisher, seq, scratch, 0));
    }

    private DeliveryLedger ledger() throws IOException
    {
        return DeliveryLedger.open(dir.resolve("ledger"), 16);
    }

    @Test
    void aSuccessorMayBeHandedItsKilledPredecessorsUnfinishedPollAgainInOrder() throws IOException
    {
        try (DeliveryLedger ledger = ledger())
        {
            final DeliveryLedger.Subscriber killed = ledger.subscriber(MAX_LENGTH);
            hand(killed, 3, 0);
            killed.pollReturned();
            hand(killed, 3, 1);
            hand(killed, 3, 2);                      // killed inside this poll

            final DeliveryLedger.Subscriber successor = ledger.subscriber(MAX_LENGTH);
            hand(successor, 3, 1);
            hand(successor, 3, 2);
            hand(successor, 3, 3);
            successor.pollReturned();

            assertNull(successor.failure());
            assertEquals(4, ledger.delivered(3));
            assertEquals(2, ledger.duplicates());
            assertFalse(ledger.failed());
        }
    }

    @Test
    void aMessageFromAPollThatReturnedIsNeverAllowedAgain() throws IOException
    {
        try (DeliveryLedger ledger = ledger())
        {
            final DeliveryLedger.Subscriber first = ledger.subscriber(MAX_LENGTH);
            hand(first, 1, 0);
            hand(first, 1, 1);
            first.pollReturned();

            final DeliveryLedger.Subscriber successor = ledger.subscriber(MAX_LENGTH);
            hand(successor, 1, 1);

            assertNotNull(successor.failure());
            assertTrue(ledger.failed());
        }
    }

    @Test
    void aGapIsAFailure() throws IOException
    {
        try (DeliveryLedger ledger = ledger())
        {
            final DeliveryLedger.Subscriber subscriber = ledger.subscriber(MAX_LENGTH);
            hand(subscriber, 2, 0);
            hand(subscriber, 2, 2);

            assertTrue(subscriber.failure().contains("gap"), subscriber.failure());
        }
    }

    @Test
    void aDamagedMessageIsAFailure() throws IOException
    {
        try (DeliveryLedger ledger = ledger())
        {
            final DeliveryLedger.Subscriber subscriber = ledger.subscriber(MAX_LENGTH);
            final int length = messages.write(0, 0, scratch, 0);
            scratch.putByte(12, (byte)~scratch.getByte(12));
            subscriber.onMessage(scratch, 0, length);

            assertTrue(subscriber.failure().contains("CRC32C"), subscriber.failure());
        }
    }
}
