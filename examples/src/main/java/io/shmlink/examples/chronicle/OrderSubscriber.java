package io.shmlink.examples.chronicle;

import io.shmlink.chronicle.BytesSubscriber;
import io.shmlink.shm.ShmRegistry;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The other process of the docs/CHRONICLE.md example: reads COUNT {@link Order}s from a channel, each by its
 * {@code readMarshallable} straight from the ring into one reused {@code Order}, checks that they arrive in order,
 * and prints a summary.
 * <pre>
 * java FLAGS -cp examples/target/shmlink.jar io.shmlink.examples.chronicle.OrderSubscriber CHANNEL [COUNT]
 * </pre>
 */
public final class OrderSubscriber
{
    private OrderSubscriber()
    {
    }

    /**
     * Receives the orders from the channel and prints the summary.
     *
     * @param args CHANNEL, then optionally COUNT (default 1,000,000).
     */
    public static void main(final String[] args)
    {
        final OrderArgs orders = OrderArgs.of(args);
        try (ShmRegistry registry = ShmRegistry.openDefault())
        {
            System.out.println(receive(registry, orders.channel(), orders.count(), Duration.ofSeconds(30)));
        }
    }

    /**
     * Receives {@code count} orders.
     *
     * @param registry where the channel lives; it is created if absent.
     * @param channel  its name.
     * @param count    how many orders.
     * @param idle     how long to wait with nothing arriving before giving up.
     * @return a one-line summary.
     * @throws IllegalStateException if an order is out of sequence or nothing arrives for {@code idle}.
     */
    public static String receive(final ShmRegistry registry, final String channel, final int count,
        final Duration idle)
    {
        registry.openOrCreate(channel, Order.CHANNEL);
        try (BytesSubscriber subscriber = new BytesSubscriber(registry.subscriber(channel)))
        {
            final Order order = new Order();
            final long[] received = {0};
            final double[] notional = {0};
            final Consumer<Order> handler = o ->
            {
                if (o.orderId != received[0] + 1)
                {
                    throw new IllegalStateException("order " + o.orderId + " after " + received[0]);
                }
                received[0]++;
                notional[0] += o.price * o.quantity;
            };
            long lastProgress = System.nanoTime();
            while (received[0] < count)
            {
                if (subscriber.poll(order, handler, 256) > 0)
                {
                    lastProgress = System.nanoTime();
                }
                else if (System.nanoTime() - lastProgress > idle.toNanos())
                {
                    throw new IllegalStateException("nothing for " + idle.toSeconds() + " s after " + received[0] +
                        " orders");
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            return String.format("received %d orders on '%s', last: %s %s %.0f @ %.4f, notional %.0f",
                received[0], channel, order.side, order.symbol, order.quantity, order.price, notional[0]);
        }
    }
}
