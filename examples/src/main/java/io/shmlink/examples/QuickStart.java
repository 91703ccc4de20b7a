package io.shmlink.examples;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;

/**
 * The README's quick start: create a channel, publish, poll. Publisher and subscriber sit in one JVM here for
 * brevity; in real use each runs in its own process with the same registry directory.
 */
public final class QuickStart
{
    private QuickStart()
    {
    }

    /**
     * Runs the quick start in the default registry, deleting its channel at the end.
     *
     * @param args none.
     */
    public static void main(final String[] args)
    {
        try (ShmRegistry registry = ShmRegistry.openDefault())
        {
            registry.openOrCreate("quickstart", ChannelConfig.spsc(64 * 1024));
            try (Publisher publisher = registry.publisher("quickstart");
                Subscriber subscriber = registry.subscriber("quickstart"))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
                final int length = message.putStringWithoutLengthAscii(0, "hello over shared memory");
                send(publisher, message, length, Duration.ofSeconds(5));
                int received = 0;
                while (received == 0)
                {
                    received = subscriber.poll((buffer, offset, len) ->
                        System.out.println("received: " + buffer.getStringWithoutLengthAscii(offset, len)), 10);
                }
            }
            registry.delete("quickstart");
        }
    }

    /**
     * The quick start's send: retries while the ring is full ({@code BACK_PRESSURED}) or the subscriber is gone
     * ({@code NOT_CONNECTED}, until another attaches), and gives up after a bound rather than spin forever on a
     * subscriber that died.
     *
     * @param publisher the channel's publisher.
     * @param message   holds the message at offset 0.
     * @param length    of the message.
     * @param giveUp    how long to keep retrying.
     * @return the position after the message.
     * @throws IllegalStateException saying why, if the message could not be sent within {@code giveUp} or the
     *                               publisher is closed.
     */
    public static long send(final Publisher publisher, final DirectBuffer message, final int length,
        final Duration giveUp)
    {
        final long deadline = System.nanoTime() + giveUp.toNanos();
        long result;
        while ((result = publisher.offer(message, 0, length)) < 0)          // BACK_PRESSURED, NOT_CONNECTED, CLOSED
        {
            if (result == Publisher.CLOSED || System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("gave up sending after " + giveUp.toMillis() + " ms: " +
                    (result == Publisher.NOT_CONNECTED ? "NOT_CONNECTED, the subscriber is gone" :
                    result == Publisher.CLOSED ? "CLOSED" : "BACK_PRESSURED, the subscriber is not keeping up"));
            }
            Thread.onSpinWait();
        }
        return result;
    }
}
