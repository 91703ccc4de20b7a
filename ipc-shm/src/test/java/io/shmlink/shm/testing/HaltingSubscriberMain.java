package io.shmlink.shm.testing;

import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;

/**
 * Child JVM: polls a {@link MessageStream} in batches of {@code batch} and dies with {@code Runtime.halt} inside
 * the handler when message {@code haltAt} arrives: a subscriber crash in the middle of a poll. Prints
 * {@code GOT <seq>} for each verified message before it. Args: directory channel seed maxLength batch haltAt
 */
public final class HaltingSubscriberMain
{
    public static void main(final String[] args)
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        final Subscriber subscriber = registry.subscriber(args[1]);
        final MessageStream stream = new MessageStream(Long.parseLong(args[2]), Integer.parseInt(args[3]));
        final int batch = Integer.parseInt(args[4]);
        final long haltAt = Long.parseLong(args[5]);
        final long[] next = {0};
        while (true)
        {
            subscriber.poll((buffer, offset, length) ->
            {
                if (next[0] == haltAt)
                {
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }
                final String failure = stream.verify(next[0], buffer, offset, length);
                System.out.println(failure == null ? "GOT " + next[0] : "FAIL " + failure);
                next[0]++;
            }, batch);
        }
    }
}
