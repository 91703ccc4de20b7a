package io.shmlink.shm.testing;

import io.shmlink.api.MessageHandler;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the successive subscribers of one channel delivered, kept in a {@link DurableLog} so that it outlives
 * each of them being killed: per publisher id, the next seq expected ({@code next}) and the next seq as of the
 * last poll that returned ({@code settled}); and counters. A subscriber that dies inside {@code poll} leaves
 * that poll's messages to its successor, so the successor may be handed messages again, but only those: seqs in
 * {@code [settled, next)} of its predecessor, in order. Anything else earlier than {@code next} is a forbidden
 * duplicate, anything later a gap, and either is recorded as the ledger's failure.
 */
public final class DeliveryLedger implements AutoCloseable
{
    private static final int DELIVERED = 0;
    private static final int DUPLICATES = 1;
    private static final int SUBSCRIBERS = 2;
    private static final int FAILED = 3;
    private static final int FIRST_ID = 8;

    private final DurableLog table;
    private final int maxPublishers;

    private DeliveryLedger(final DurableLog table, final int maxPublishers)
    {
        this.table = table;
        this.maxPublishers = maxPublishers;
    }

    /**
     * Opens a channel's ledger, creating it empty if absent.
     *
     * @param file          the ledger file.
     * @param maxPublishers publisher ids are below this.
     * @return the ledger.
     * @throws IOException if the file cannot be made.
     */
    public static DeliveryLedger open(final Path file, final int maxPublishers) throws IOException
    {
        return new DeliveryLedger(DurableLog.open(file, FIRST_ID + 2L * maxPublishers), maxPublishers);
    }

    /**
     * @param id a publisher id.
     * @return how many of its messages were delivered, in order, once each.
     */
    public long delivered(final int id)
    {
        return table.get(FIRST_ID + 2L * id);
    }

    /** @return messages delivered for the first time, all publishers. */
    public long deliveredTotal()
    {
        return table.get(DELIVERED);
    }

    /** @return messages handed over again to a successor of a subscriber killed inside poll. */
    public long duplicates()
    {
        return table.get(DUPLICATES);
    }

    /** @return subscribers that attached to this ledger. */
    public long subscribers()
    {
        return table.get(SUBSCRIBERS);
    }

    /** @return whether a subscriber found a gap, a forbidden duplicate or a damaged message. */
    public boolean failed()
    {
        return table.get(FAILED) != 0;
    }

    @Override
    public void close()
    {
        table.close();
    }

    /**
     * The checks of one subscriber: hand it to {@code poll}, then call {@link #pollReturned()} after each poll.
     *
     * @param maxLength the channel's longest message.
     * @return the handler.
     */
    public Subscriber subscriber(final int maxLength)
    {
        table.set(SUBSCRIBERS, table.get(SUBSCRIBERS) + 1);
        return new Subscriber(maxLength);
    }

    /** One subscriber's view of the ledger. Records the first failure, and stops checking after it. */
    public final class Subscriber implements MessageHandler
    {
        private final TaggedMessages messages;
        private final long[] redelivered = new long[maxPublishers]; // next seq expected again; -1 = not yet
        private final int[] touched = new int[1024];
        private int touchedCount;
        private String failure;

        private Subscriber(final int maxLength)
        {
            this.messages = new TaggedMessages(maxLength);
            java.util.Arrays.fill(redelivered, -1);
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (failure != null)
            {
                return;
            }
            final String damage = messages.checkContent(buffer, offset, length);
            if (damage != null)
            {
                fail(damage);
                return;
            }
            final int id = buffer.getInt(offset);
            final long seq = buffer.getLong(offset + 4);
            if (id >= maxPublishers)
            {
                fail("unknown publisher " + id);
                return;
            }
            final long next = table.get(FIRST_ID + 2L * id);
            final long settled = table.get(FIRST_ID + 2L * id + 1);
            if (seq == next)
            {
                table.set(FIRST_ID + 2L * id, next + 1);
                table.set(DELIVERED, table.get(DELIVERED) + 1);
                touch(id);
            }
            else if (seq >= settled && seq < next)
            {
                final long expected = redelivered[id] < 0 ? settled : redelivered[id];
                if (seq != expected)
                {
                    fail("publisher " + id + " seq " + seq + " handed over again out of order (expected " +
                        expected + " of the killed subscriber's last poll [" + settled + ", " + next + "))");
                    return;
                }
                redelivered[id] = seq + 1;
                table.set(DUPLICATES, table.get(DUPLICATES) + 1);
            }
            else
            {
                fail("publisher " + id + " seq " + seq + ": expected " + next +
                    (seq < next ? " (duplicate of a message from a poll that had returned)" : " (gap)"));
            }
        }

        private void touch(final int id)
        {
            for (int i = 0; i < touchedCount; i++)
            {
                if (touched[i] == id)
                {
                    return;
                }
            }
            touched[touchedCount++] = id;
        }

        private void fail(final String what)
        {
            failure = what;
            table.set(FAILED, 1);
        }

        /**
         * Settles what the poll that just returned delivered: from now on no subscriber may see it again.
         * Redeliveries are only legitimate before the first poll of a successor returns.
         */
        public void pollReturned()
        {
            for (int i = 0; i < touchedCount; i++)
            {
                final int id = touched[i];
                table.set(FIRST_ID + 2L * id + 1, table.get(FIRST_ID + 2L * id));
            }
            touchedCount = 0;
        }

        /** @return the first failure, or null. */
        public String failure()
        {
            return failure;
        }
    }
}
