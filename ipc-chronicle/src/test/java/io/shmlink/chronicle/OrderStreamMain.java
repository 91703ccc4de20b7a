package io.shmlink.chronicle;

import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;

/**
 * A child JVM's side of {@code CrossProcessBytesTest}: {@code publish DIR CHANNEL COUNT} offers the stream's
 * first COUNT orders through a {@link BytesPublisher} and prints {@code DONE}; {@code verify DIR CHANNEL COUNT}
 * attaches, prints {@code ATTACHED}, reads COUNT orders through a {@link BytesSubscriber}, checks every field and
 * prints {@code OK COUNT} or {@code FAIL ...}. Either gives up after 60 s with a line that says so; a refusal to
 * start (a {@link ShmLinkException}, such as missing JVM flags) is printed as {@code REFUSED message}.
 */
public final class OrderStreamMain
{
    static final long GIVE_UP_NANOS = 60_000_000_000L;

    private OrderStreamMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[1]);
        final String channel = args[2];
        final int count = Integer.parseInt(args[3]);
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            run(args[0], registry, channel, count);
        }
        catch (final ShmLinkException ex)
        {
            System.out.println("REFUSED " + ex.getMessage());
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
    }

    private static void run(final String mode, final ShmRegistry registry, final String channel, final int count)
    {
        if (mode.equals("publish"))
        {
            try (BytesPublisher publisher = new BytesPublisher(registry.publisher(channel)))
            {
                publish(publisher, count);
                System.out.println("DONE");
            }
        }
        else
        {
            try (BytesSubscriber subscriber = new BytesSubscriber(registry.subscriber(channel)))
            {
                System.out.println("ATTACHED");
                final String failure = verify(subscriber, count);
                System.out.println(failure == null ? "OK " + count : "FAIL " + failure);
            }
        }
    }

    /** Offers orders 0 to count - 1, retrying back-pressure up to a deadline. */
    static void publish(final BytesPublisher publisher, final int count)
    {
        final TestOrder order = new TestOrder();
        final long deadline = System.nanoTime() + GIVE_UP_NANOS;
        for (int i = 0; i < count; i++)
        {
            order.fill(i);
            long result;
            while ((result = publisher.offer(order)) < 0)
            {
                if (result == Publisher.CLOSED || System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("gave up at order " + i + ": " + result);
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Reads count orders and checks each against the stream.
     *
     * @return null if all arrived intact and in order, else what went wrong.
     */
    static String verify(final BytesSubscriber subscriber, final int count)
    {
        final TestOrder order = new TestOrder();
        final long[] next = {0};
        final String[] failure = {null};
        final long deadline = System.nanoTime() + GIVE_UP_NANOS;
        while (next[0] < count && failure[0] == null)
        {
            final int read = subscriber.poll(order, received ->
            {
                final String difference = received.differenceFrom(next[0]);
                if (difference != null && failure[0] == null)
                {
                    failure[0] = "order " + next[0] + ": " + difference;
                }
                next[0]++;
            }, 256);
            if (read == 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return "timed out after " + next[0] + " of " + count;
                }
                Thread.onSpinWait();
            }
        }
        return failure[0];
    }
}
