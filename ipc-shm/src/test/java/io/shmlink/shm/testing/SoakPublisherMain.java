package io.shmlink.shm.testing;

import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM for the kill soak: publishes {@link TaggedMessages} as publisher {@code id}, seq 0, 1, 2, ... until it
 * is killed, and appends the position every successful offer returned to a {@link DurableLog} before it goes on:
 * the log's count is the number of messages this publisher is known to have sent. At most
 * {@code ratePerSecond} messages a second (bursts of 64; 0 for no limit). Prints
 * {@code ATTACHED}, and {@code FULL} if the log fills up (it then stops publishing).
 * Args: directory channel id logFile logCapacity ratePerSecond
 */
public final class SoakPublisherMain
{
    public static void main(final String[] args) throws Exception
    {
        final int id = Integer.parseInt(args[2]);
        final long ratePerSecond = Long.parseLong(args[5]);
        final long burstNs = ratePerSecond <= 0 ? 0 : 64 * 1_000_000_000L / ratePerSecond;
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            Publisher publisher = registry.publisher(args[1]);
            DurableLog log = DurableLog.open(Path.of(args[3]), Long.parseLong(args[4])))
        {
            System.out.println("ATTACHED");
            System.out.flush();
            final TaggedMessages messages = new TaggedMessages(publisher.maxMessageLength());
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[publisher.maxMessageLength()]);
            long burstStart = System.nanoTime();
            for (long seq = 0; ; seq++)
            {
                final int length = messages.write(id, seq, scratch, 0);
                long position;
                while ((position = publisher.offer(scratch, 0, length)) < 0)
                {
                    Thread.yield(); // back-pressured, or no subscriber while one is being restarted
                }
                if (!log.append(position))
                {
                    System.out.println("FULL");
                    System.out.flush();
                    LockSupport.park();
                }
                if (burstNs > 0 && (seq & 63) == 63)
                {
                    final long wait = burstStart + burstNs - System.nanoTime();
                    if (wait > 0)
                    {
                        LockSupport.parkNanos(wait); // rate limit, not synchronisation
                    }
                    burstStart = System.nanoTime();
                }
            }
        }
    }
}
