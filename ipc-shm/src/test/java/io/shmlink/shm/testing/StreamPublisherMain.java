package io.shmlink.shm.testing;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child JVM: publishes {@code count} messages of a {@link MessageStream}, by copy ({@code offer}) or in place
 * ({@code claim}), then prints {@code DONE}.
 * Args: directory channel count seed offer|claim
 */
public final class StreamPublisherMain
{
    public static void main(final String[] args)
    {
        final StreamArgs stream = StreamArgs.parse(args);
        final boolean claim = "claim".equals(args[4]);
        try (ShmRegistry registry = ShmRegistry.open(stream.dir());
            Publisher publisher = registry.publisher(stream.channel()))
        {
            System.out.println("ATTACHED");
            System.out.flush();
            final MessageStream messages = new MessageStream(stream.seed(), publisher.maxMessageLength());
            publish(publisher, messages, 0, stream.count(), claim);
        }
        System.out.println("DONE");
        System.out.flush();
    }

    /**
     * Publishes messages {@code [from, to)} of a stream, retrying while back-pressured.
     *
     * @param publisher where to.
     * @param stream    the messages.
     * @param from      first sequence number.
     * @param to        end (exclusive).
     * @param claim     use tryClaim instead of offer.
     */
    public static void publish(
        final Publisher publisher, final MessageStream stream, final long from, final long to, final boolean claim)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Math.max(1, publisher.maxMessageLength())]);
        final BufferClaim bufferClaim = new BufferClaim();
        for (long seq = from; seq < to; seq++)
        {
            long deadline = 0;
            if (claim)
            {
                final int length = stream.length(seq);
                long result;
                while ((result = publisher.tryClaim(length, bufferClaim)) < 0)
                {
                    deadline = awaitRetry(deadline, seq, result, publisher);
                }
                stream.write(seq, bufferClaim.buffer(), bufferClaim.offset());
                bufferClaim.commit();
            }
            else
            {
                final int length = stream.write(seq, scratch, 0);
                long result;
                while ((result = publisher.offer(scratch, 0, length)) < 0)
                {
                    deadline = awaitRetry(deadline, seq, result, publisher);
                }
            }
        }
    }

    /** Bounds the wait for one message's room, not the whole run: a loaded machine is slow, a stall is stuck. */
    private static long awaitRetry(final long deadline, final long seq, final long result, final Publisher publisher)
    {
        if (deadline == 0)
        {
            return System.nanoTime() + 120_000_000_000L;
        }
        if (System.nanoTime() > deadline)
        {
            throw new IllegalStateException("no progress publishing seq " + seq + " for 120 s: the send returns " +
                result + (publisher instanceof ShmPublisher shm ? "; " + shm.channelInfo() : ""));
        }
        Thread.onSpinWait();
        return deadline;
    }
}
