package io.shmlink.examples.chronicle;

import io.shmlink.api.Publisher;
import io.shmlink.chronicle.BytesPublisher;
import io.shmlink.shm.ShmRegistry;

import java.time.Duration;

/**
 * One process of the docs/CHRONICLE.md example: sends COUNT {@link Order}s on a channel, each written by its
 * {@code writeMarshallable} straight into the ring. Run {@link OrderSubscriber} with the same channel name in
 * another process (same {@code $SHMLINK_DIR}, or {@code /dev/shm/shmlink-$USER}); either may start first.
 * <pre>
 * java FLAGS -cp examples/target/shmlink.jar io.shmlink.examples.chronicle.OrderPublisher CHANNEL [COUNT]
 * </pre>
 */
public final class OrderPublisher
{
    private OrderPublisher()
    {
    }

    /**
     * Sends the orders on the channel, then says how many it sent.
     *
     * @param args CHANNEL, then optionally COUNT (default 1,000,000).
     */
    public static void main(final String[] args)
    {
        final OrderArgs orders = OrderArgs.of(args);
        try (ShmRegistry registry = ShmRegistry.openDefault())
        {
            send(registry, orders.channel(), orders.count(), Duration.ofSeconds(30));
        }
        System.out.println("sent " + orders.count() + " orders on '" + orders.channel() + "'");
    }

    /**
     * Sends orders 1 to {@code count}, retrying back-pressure and a missing subscriber up to {@code giveUp} per
     * order.
     *
     * @param registry where the channel lives; it is created if absent.
     * @param channel  its name.
     * @param count    how many orders.
     * @param giveUp   how long to retry one order.
     * @throws IllegalStateException if an order could not be sent in time.
     */
    public static void send(final ShmRegistry registry, final String channel, final int count, final Duration giveUp)
    {
        registry.openOrCreate(channel, Order.CHANNEL);
        try (BytesPublisher publisher = new BytesPublisher(registry.publisher(channel)))
        {
            final Order order = new Order();
            order.symbol.append("EURUSD");
            order.side = Order.Side.SELL;
            for (int i = 1; i <= count; i++)
            {
                order.orderId = i;
                order.clientId = 42;
                order.instrumentId = 7;
                order.accountId = 1001;
                order.timestampNanos = System.nanoTime();
                order.parentOrderId = i - 1;
                order.price = 1.0850 + (i % 100) * 0.0001;
                order.quantity = 1_000_000;
                order.limitPrice = 1.09;
                order.filledQuantity = 0;
                final long deadline = System.nanoTime() + giveUp.toNanos();
                long result;
                while ((result = publisher.offer(order)) < 0)     // BACK_PRESSURED, NOT_CONNECTED, CLOSED
                {
                    if (result == Publisher.CLOSED || System.nanoTime() - deadline > 0)
                    {
                        throw new IllegalStateException("gave up on order " + i + ": offer returned " + result);
                    }
                    Thread.onSpinWait();
                }
            }
        }
    }
}
