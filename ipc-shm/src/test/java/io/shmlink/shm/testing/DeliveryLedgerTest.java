package io.shmlink.shm.testing;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

    private DeliveryLedger ledger;

    @BeforeEach
    void openLedger() throws IOException
    {
        ledger = DeliveryLedger.open(dir.resolve("ledger"), 16);
    }

    @AfterEach
    void closeLedger()
    {
        ledger.close();
    }

    private DeliveryLedger.Subscriber subscriber()
    {
        return ledger.subscriber(MAX_LENGTH);
    }

    /** Hands {@code subscriber} the messages of publisher {@code publisher} with these sequence numbers. */
    private void hand(final DeliveryLedger.Subscriber subscriber, final int publisher, final long... seqs)
    {
        for (final long seq : seqs)
        {
            subscriber.onMessage(scratch, 0, messages.write(publisher, seq, scratch, 0));
        }
    }

    @Test
    void aSuccessorMayBeHandedItsKilledPredecessorsUnfinishedPollAgainInOrder()
    {
        final DeliveryLedger.Subscriber killed = subscriber();
        hand(killed, 3, 0);
        killed.pollReturned();
        hand(killed, 3, 1, 2);                       // killed inside this poll

        final DeliveryLedger.Subscriber successor = subscriber();
        hand(successor, 3, 1, 2, 3);
        successor.pollReturned();

        assertNull(successor.failure());
        assertEquals(4, ledger.delivered(3));
        assertEquals(2, ledger.duplicates());
        assertFalse(ledger.failed());
    }

    @Test
    void aMessageFromAPollThatReturnedIsNeverAllowedAgain()
    {
        final DeliveryLedger.Subscriber first = subscriber();
        hand(first, 1, 0, 1);
        first.pollReturned();

        final DeliveryLedger.Subscriber successor = subscriber();
        hand(successor, 1, 1);

        assertNotNull(successor.failure());
        assertTrue(ledger.failed());
    }

    @Test
    void aGapIsAFailure()
    {
        final DeliveryLedger.Subscriber subscriber = subscriber();
        hand(subscriber, 2, 0, 2);

        assertTrue(subscriber.failure().contains("gap"), subscriber.failure());
    }

    @Test
    void aDamagedMessageIsAFailure()
    {
        final DeliveryLedger.Subscriber subscriber = subscriber();
        final int length = messages.write(0, 0, scratch, 0);
        scratch.putByte(12, (byte)~scratch.getByte(12));
        subscriber.onMessage(scratch, 0, length);

        assertTrue(subscriber.failure().contains("CRC32C"), subscriber.failure());
    }
}
