package io.shmlink.examples.bridge;

import io.shmlink.aeron.AeronBridge;
import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Host A of the bridge example: publishes ticks into the local channel "ticks" with the ordinary ShmLink API, and an
 * outbound {@link AeronBridge} in the same JVM carries them to host B ({@link TickReceiver}). The bridge could as
 * well run on its own: {@code shmlink bridge out ticks --to URI}.
 * <p>
 * Args: registry-directory aeron-uri count, e.g. {@code /dev/shm/a aeron:udp?endpoint=host-b:40123 1000}.
 */
public final class TickSender
{
    /** The local channel on both hosts. */
    public static final String CHANNEL = "ticks";

    /** The Aeron stream both sides use. */
    public static final int STREAM = AeronBridge.DEFAULT_STREAM_ID;

    private TickSender()
    {
    }

    /**
     * Publishes the ticks, then keeps the bridge up until it has forwarded them all and the receiver has gone
     * (a minute at most).
     *
     * @param args registry-directory aeron-uri count.
     * @throws InterruptedException if interrupted while waiting for the receiver.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final String uri = args[1];
        final int count = Integer.parseInt(args[2]);
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0])))
        {
            registry.openOrCreate(CHANNEL, ChannelConfig.spsc(1 << 20));
            try (AeronBridge bridge = AeronBridge.outbound(registry, CHANNEL, uri, STREAM);
                ShmPublisher publisher = registry.publisher(CHANNEL))
            {
                final UnsafeBuffer tick = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
                for (int i = 0; i < count; i++)
                {
                    tick.putLong(0, i);                      // sequence
                    tick.putLong(8, System.nanoTime());      // a timestamp, say
                    while (publisher.offer(tick, 0, 16) < 0) // back-pressured until host B is connected and keeps up
                    {
                        Thread.onSpinWait();
                    }
                }
                System.out.println("sent " + count + " ticks into '" + CHANNEL + "'");
                // Closing the bridge closes its embedded media driver, and with it what Aeron has not sent yet: stay
                // until the receiver has gone (Aeron notices within its publication connection timeout, 5 s).
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (bridge.messagesForwarded() < count || bridge.isLinkUp())
                {
                    if (System.nanoTime() > deadline)
                    {
                        System.out.println("gave up waiting for the receiver");
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                System.out.println("bridge forwarded " + bridge.messagesForwarded() + " ticks");
            }
        }
    }
}
