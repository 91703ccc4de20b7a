package io.shmlink.api;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Receives the messages of a channel, in order, each once. A channel has at most one live subscriber.
 */
public interface Subscriber extends AutoCloseable
{
    /**
     * Hands up to {@code messageLimit} committed messages to the handler without blocking. If the handler throws,
     * the messages handed over so far, the failed one included, count as consumed.
     *
     * @param handler      called once per message.
     * @param messageLimit the most messages to hand over.
     * @return the number of messages handed to the handler.
     * @throws CorruptChannelException if the channel holds a record that cannot be valid.
     */
    int poll(MessageHandler handler, int messageLimit);

    /**
     * Waits until at least one message is committed or the timeout passes, then hands up to {@code messageLimit}
     * messages to the handler. Implementations choose how to wait; this default spins briefly, then parks in
     * steps of at most 1 ms. The shared-memory subscriber instead sleeps in the kernel until a publisher wakes
     * it, and costs nothing while idle.
     *
     * @param handler      called once per message.
     * @param messageLimit the most messages to hand over.
     * @param timeout      the longest wait; 0 or less polls once without waiting.
     * @param unit         of the timeout.
     * @return the number of messages handed to the handler; 0 if none came in time.
     * @throws CorruptChannelException if the channel holds a record that cannot be valid.
     */
    default int poll(final MessageHandler handler, final int messageLimit, final long timeout, final TimeUnit unit)
    {
        final long start = System.nanoTime();
        final long timeoutNanos = unit.toNanos(timeout);
        long parkNanos = 0;
        int messages;
        while ((messages = poll(handler, messageLimit)) == 0 && messageLimit > 0)
        {
            final long remaining = timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0)
            {
                break;
            }
            if (parkNanos == 0)
            {
                Thread.onSpinWait();
                parkNanos = System.nanoTime() - start > 50_000 ? 1_000 : 0;
            }
            else
            {
                LockSupport.parkNanos(Math.min(remaining, parkNanos));
                parkNanos = Math.min(parkNanos * 2, 1_000_000);
            }
        }
        return messages;
    }

    /**
     * Detaches from the channel; a later subscriber resumes after the last message this one consumed.
     */
    @Override
    void close();
}
