package io.shmlink.examples;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The README's quick start: create a channel, publish, poll. Publisher and subscriber sit in one JVM here for
 * brevity; in real use each runs in its own process with the same registry directory.
 */
public final class QuickStart
{
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
                while (publisher.offer(message, 0, length) < 0)
                {
                    Thread.onSpinWait(); // BACK_PRESSURED or NOT_CONNECTED: retry
                }
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
}
