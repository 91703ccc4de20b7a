package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ShmLink SPSC channels with a lazy sink: it counts and acknowledges every message as the real one does, but reads
 * only the first half of each and takes the rest for zeros, as a sink that skips work would. The run must catch it.
 * The child JVM makes it by class name.
 */
public final class SkippingSinkTransport extends EchoReplacingTransport
{
    /** Made by name in the child. */
    public SkippingSinkTransport()
    {
        super("skipping-sink", ThroughputModes.OFFER, new ShmLinkTransport(ChannelMode.SPSC));
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "ShmLink SPSC, a sink that reads half of each message";
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        final ShmRegistry registry = ShmRegistry.open(link.directory());
        final Subscriber ping = registry.subscriber("ping");
        final Publisher pong = registry.publisher("pong");
        final UnsafeBuffer half = new UnsafeBuffer(new byte[link.messageLength()]);
        final BurstSink sink = new BurstSink(link.messageLength());
        return new Echo()
        {
            @Override
            public void run(final EchoControl control, final int index)
            {
                throw new UnsupportedOperationException("throughput only");
            }

            @Override
            public void sink(final EchoControl control, final int index, final SinkMode mode)
            {
                while (ping.poll(this::skim, 16) > 0 || control.isActive(index))
                {
                    Thread.onSpinWait();
                }
            }

            private void skim(final DirectBuffer buffer, final int offset, final int length)
            {
                half.setMemory(0, length, (byte)0);
                half.putBytes(0, buffer, offset, length / 2);
                if (sink.onMessage(half, 0, length) && pong.offer(sink.acknowledgement(), 0, length) <= 0)
                {
                    throw new IllegalStateException("pong refused");
                }
            }

            @Override
            public void close()
            {
                sink.close();
                registry.close();
            }
        };
    }
}
