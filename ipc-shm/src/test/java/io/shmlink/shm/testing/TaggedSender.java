package io.shmlink.shm.testing;

import io.shmlink.api.Publisher;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending side of one publisher's {@link TaggedMessages} in a child JVM: each message is written and offered
 * until a send returns a position, yielding in between, and a publisher stuck past its deadline fails.
 *
 * @param publisher     where to send.
 * @param id            the publisher id the messages carry.
 * @param deadlineNanos the {@link System#nanoTime()} after which a publisher still held back fails.
 * @param messages      the messages, also for writing one in place in a claim.
 * @param scratch       where a message is written to be offered.
 */
record TaggedSender(Publisher publisher, int id, long deadlineNanos, TaggedMessages messages, UnsafeBuffer scratch)
{
    /**
     * @param publisher     where to send.
     * @param id            the publisher id the messages carry.
     * @param deadlineNanos the {@link System#nanoTime()} after which a publisher still held back fails.
     * @return a sender with messages and scratch sized for the publisher's longest message.
     */
    static TaggedSender of(final Publisher publisher, final int id, final long deadlineNanos)
    {
        final int maxLength = publisher.maxMessageLength();
        return new TaggedSender(
            publisher, id, deadlineNanos, new TaggedMessages(maxLength), new UnsafeBuffer(new byte[maxLength]));
    }

    /**
     * Writes message {@code seq} and offers it until a send returns a position.
     *
     * @param seq the sequence number.
     */
    void offer(final long seq)
    {
        final int length = messages.write(id, seq, scratch, 0);
        while (publisher.offer(scratch, 0, length) < 0)
        {
            giveWay(seq);
        }
    }

    /**
     * Lets the others run after a send of message {@code seq} was held back.
     *
     * @param seq the sequence number.
     * @throws IllegalStateException once the deadline has passed.
     */
    void giveWay(final long seq)
    {
        if (System.nanoTime() > deadlineNanos)
        {
            throw new IllegalStateException("publisher " + id + " stuck at seq " + seq);
        }
        Thread.yield(); // publishers and a subscriber share few cores
    }
}
