package io.shmlink.shm.testing;

import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;

/**
 * Child JVM: publishes {@code count} {@link TaggedMessages} as publisher {@code id}, printing
 * {@code COMMITTED <n>} after every {@code every} messages whose offer returned a position, then {@code DONE}.
 * Args: directory channel id count every
 */
public final class TaggedPublisherMain
{
    public static void main(final String[] args)
    {
        final int id = Integer.parseInt(args[2]);
        final long count = Long.parseLong(args[3]);
        final long every = Long.parseLong(args[4]);
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            Publisher publisher = registry.publisher(args[1]))
        {
            System.out.println("ATTACHED");
            System.out.flush();
            final TaggedSender sender = TaggedSender.of(publisher, id, System.nanoTime() + 120_000_000_000L);
            for (long seq = 0; seq < count; seq++)
            {
                sender.offer(seq);
                if ((seq + 1) % every == 0)
                {
                    System.out.println("COMMITTED " + (seq + 1));
                    System.out.flush();
                }
            }
        }
        System.out.println("DONE");
        System.out.flush();
    }
}
