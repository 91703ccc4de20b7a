package io.shmlink.shm.testing;

import io.shmlink.api.SubscriberEvictedException;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;

import java.nio.file.Path;

/**
 * Child JVM: subscribes to a fan-out channel and checks {@link TaggedMessages} from {@code publishers} publishers,
 * every byte and each publisher's order, until it has {@code count} from each; prints {@code ATTACHED}, then
 * {@code RECEIVED <n>} every {@code every} messages, then {@code OK <n>} or {@code FAIL <what>}.
 * <p>
 * Evicted ({@code SubscriberEvictedException}), it prints {@code EVICTED <message>}, closes, attaches again, prints
 * {@code REATTACHED}, and then checks what it receives as from a subscriber that joined live (each publisher's
 * order, every byte, sequences may start anywhere), printing {@code RESUMED <n>} once it has {@code every} more.
 * Args: directory channel publishers count every maxLength
 */
public final class FanOutSubscriberMain
{
    public static void main(final String[] args)
    {
        final String channel = args[1];
        final int publishers = Integer.parseInt(args[2]);
        final long count = Long.parseLong(args[3]);
        final long every = Long.parseLong(args[4]);
        final int maxLength = Integer.parseInt(args[5]);
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0])))
        {
            ShmSubscriber subscriber = registry.subscriber(channel);
            System.out.println("ATTACHED");
            System.out.flush();
            TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(maxLength, publishers);
            boolean rejoined = false;
            long reported = 0;
            final long deadline = System.nanoTime() + 300_000_000_000L;
            while (true)
            {
                long total = 0;
                boolean done = true;
                for (int p = 0; p < publishers; p++)
                {
                    total += verifier.received(p);
                    done &= verifier.received(p) >= count;
                }
                if (rejoined)
                {
                    total = verifier.total(); // sequences start wherever this subscriber joined
                }
                if (verifier.failure() != null)
                {
                    System.out.println("FAIL " + verifier.failure());
                    return;
                }
                if (total - reported >= every)
                {
                    reported = total;
                    System.out.println((rejoined ? "RESUMED " : "RECEIVED ") + total);
                    System.out.flush();
                    if (rejoined)
                    {
                        return;
                    }
                }
                if (done && !rejoined)
                {
                    System.out.println("OK " + total);
                    return;
                }
                if (System.nanoTime() > deadline)
                {
                    System.out.println("FAIL stuck at " + total);
                    return;
                }
                try
                {
                    if (subscriber.poll(verifier, 256) == 0)
                    {
                        Thread.yield(); // several JVMs share two cores
                    }
                }
                catch (final SubscriberEvictedException evicted)
                {
                    System.out.println("EVICTED " + evicted.getMessage());
                    subscriber.close();
                    subscriber = registry.subscriber(channel);
                    verifier = new TaggedMessages.Verifier(maxLength, publishers);
                    for (int p = 0; p < publishers; p++)
                    {
                        verifier.allowGaps(p);
                    }
                    rejoined = true;
                    reported = 0;
                    System.out.println("REATTACHED");
                    System.out.flush();
                }
            }
        }
        finally
        {
            System.out.flush();
        }
    }
}
