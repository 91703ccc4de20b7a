package io.shmlink.examples.bridge;

import io.shmlink.aeron.AeronBridge;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Host B of the bridge example: an inbound {@link AeronBridge} puts what {@link TickSender} publishes on host A into
 * the local channel "ticks" (created if absent), and this program reads it with the ordinary ShmLink API, checking
 * that the sequence numbers come in order. The bridge could as well run on its own:
 * {@code shmlink bridge in ticks --from URI}.
 * <p>
 * Args: registry-directory aeron-uri count, e.g. {@code /dev/shm/b aeron:udp?endpoint=0.0.0.0:40123 1000}.
 */
public final class TickReceiver
{
    private TickReceiver()
    {
    }

    /**
     * Receives the ticks through the bridge, checks their order, and exits with status 1 if fewer than count came
     * within a minute.
     *
     * @param args registry-directory aeron-uri count.
     */
    public static void main(final String[] args)
    {
        final int count = Integer.parseInt(args[2]);
        final long[] next = {0};
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            AeronBridge bridge = AeronBridge.inbound(args[1], TickSender.STREAM, registry, TickSender.CHANNEL);
            ShmSubscriber subscriber = registry.subscriber(TickSender.CHANNEL))
        {
            System.out.println("receiving '" + TickSender.CHANNEL + "' from " + args[1] + " through " + bridge);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (next[0] < count && System.nanoTime() < deadline)
            {
                subscriber.poll((buffer, offset, length) ->
                {
                    final long sequence = buffer.getLong(offset);
                    if (sequence != next[0])
                    {
                        throw new IllegalStateException("tick " + sequence + " where " + next[0] + " was due");
                    }
                    next[0]++;
                }, 100, 100, TimeUnit.MILLISECONDS);
            }
        }
        System.out.println("received " + next[0] + " ticks in order");
        if (next[0] < count)
        {
            System.exit(1);
        }
    }
}
