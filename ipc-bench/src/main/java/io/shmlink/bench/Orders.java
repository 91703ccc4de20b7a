package io.shmlink.bench;

import io.shmlink.examples.chronicle.Order;

/**
 * The Chronicle DTO the benchmarks send: the {@link Order} of the Chronicle example (docs/CHRONICLE.md), so that
 * the figures are those of the DTO a user starts from. Twelve fields (six longs, four doubles, an enum, a symbol),
 * written field by field; {@code orderId} carries the ping's sequence number.
 */
public final class Orders
{
    /** Bytes {@link Order#writeMarshallable} writes with the six-letter symbol {@link #filled} puts in. */
    public static final int LENGTH = 6 * Long.BYTES + 4 * Double.BYTES + 1 + 1 + 6;

    private Orders()
    {
    }

    /**
     * An order with every field set, {@code orderId} 0.
     *
     * @return a new order.
     */
    public static Order filled()
    {
        final Order order = new Order();
        order.clientId = 42;
        order.instrumentId = 7;
        order.accountId = 1234567;
        order.timestampNanos = System.nanoTime();
        order.parentOrderId = 1;
        order.price = 1.08525;
        order.quantity = 1_000_000;
        order.limitPrice = 1.08;
        order.filledQuantity = 250_000;
        order.side = Order.Side.SELL;
        order.symbol.append("EURUSD");
        return order;
    }
}
