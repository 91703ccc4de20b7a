package io.shmlink.bench.coldpath;

import io.shmlink.api.Subscriber;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.bench.pingpong.ChildJvm;
import io.shmlink.bench.pingpong.Payload;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiving JVM of {@link ColdPath}: for each round it waits for that round's new channel, attaches (which
 * faults the ring in), says so, then takes two transfers through it, folding every byte, and prints each one's
 * message count and checksum as it ends.
 * <p>
 * {@code ColdPathSink <registry dir> <rounds> <messages per transfer>}
 */
public final class ColdPathSink
{
    private static final long ATTACH_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private ColdPathSink()
    {
    }

    /**
     * Runs the rounds.
     *
     * @param args registry directory, rounds, messages per transfer.
     */
    public static void main(final String[] args)
    {
        final Path directory = Path.of(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final long messages = Long.parseLong(args[2]);
        final long[] sum = new long[1];
        final long[] received = new long[1];
        ChildJvm.exitWithParent();
        try (ShmRegistry registry = ShmRegistry.open(directory))
        {
            System.out.println("ready");
            for (int round = 0; round < rounds; round++)
            {
                try (Subscriber subscriber = attach(registry, ColdPath.channelName(round)))
                {
                    System.out.println("attached " + round);
                    for (int transfer = 0; transfer < 2; transfer++)
                    {
                        sum[0] = 0;
                        received[0] = 0;
                        while (received[0] < messages)
                        {
                            subscriber.poll((buffer, offset, length) ->
                            {
                                sum[0] += Payload.fold(buffer, offset, length);
                                received[0]++;
                            }, 64, 1, TimeUnit.SECONDS);
                        }
                        System.out.println("received " + round + " " + transfer + " " + received[0] + " " + sum[0]);
                    }
                }
            }
        }
    }

    private static Subscriber attach(final ShmRegistry registry, final String name)
    {
        final long deadline = System.nanoTime() + ATTACH_DEADLINE_NANOS;
        while (true)
        {
            try
            {
                return registry.subscriber(name);
            }
            catch (final ChannelNotFoundException notYet)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw notYet;
                }
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
