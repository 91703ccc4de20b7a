package io.shmlink.shm.testing;

import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

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
            final TaggedMessages messages = new TaggedMessages(publisher.maxMessageLength());
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[publisher.maxMessageLength()]);
            final long deadline = System.nanoTime() + 120_000_000_000L;
            for (long seq = 0; seq < count; seq++)
            {
                final int length = messages.write(id, seq, scratch, 0);
                while (publisher.offer(scratch, 0, length) < 0)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new IllegalStateException("publisher " + id + " stuck at seq " + seq);
                    }
                    Thread.yield(); // four publishers and a subscriber share two cores
                }
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
