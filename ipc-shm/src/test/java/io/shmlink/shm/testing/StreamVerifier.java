package io.shmlink.shm.testing;

import io.shmlink.api.MessageHandler;
import io.shmlink.api.Subscriber;
import org.agrona.DirectBuffer;

/**
 * Receives a {@link MessageStream} and checks that messages arrive in sequence, each once, every byte intact.
 * Records the first failure.
 */
public final class StreamVerifier implements MessageHandler
{
    private final MessageStream stream;
    private long next;
    private String failure;

    /**
     * @param stream the expected messages.
     * @param first  the first sequence number expected.
     */
    public StreamVerifier(final MessageStream stream, final long first)
    {
        this.stream = stream;
        this.next = first;
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (failure == null)
        {
            failure = stream.verify(next, buffer, offset, length);
        }
        next++;
    }

    /**
     * Polls until {@code count} messages arrived, a failure, or {@code timeoutMs} pass without a message. A bound on
     * silence rather than on the whole run: on a loaded machine a million messages may take minutes, yet a stalled
     * channel still fails within the bound.
     *
     * @param subscriber the source.
     * @param count      total messages expected (sequence numbers below it).
     * @param timeoutMs  the longest wait for the next message.
     */
    public void receive(final Subscriber subscriber, final long count, final long timeoutMs)
    {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long polls = 0;
        while (next < count && failure == null)
        {
            if (subscriber.poll(this, (int)Math.min(256, count - next)) == 0)
            {
                Thread.onSpinWait();
                if ((++polls & 0xFFFF) == 0 && System.currentTimeMillis() > deadline)
                {
                    failure = "no message for " + timeoutMs + " ms at seq " + next + " of " + count;
                }
            }
            else if ((++polls & 0xFF) == 0)
            {
                deadline = System.currentTimeMillis() + timeoutMs;
            }
        }
        if (failure == null && next != count)
        {
            failure = "received " + next + " messages, expected " + count;
        }
    }

    /** @return the next sequence number expected. */
    public long next()
    {
        return next;
    }

    /** @return the first failure, or null. */
    public String failure()
    {
        return failure;
    }
}
