package io.shmlink.bench;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;
import net.openhft.chronicle.core.io.IORuntimeException;

/**
 * The Chronicle DTO the benchmarks send: an order of twelve fields (six longs, four doubles, an enum, a six-letter
 * symbol), written field by field, 88 bytes once written. {@code orderId} carries the ping's sequence number.
 * Reading allocates nothing: the symbol goes into a reused {@link StringBuilder}.
 */
public final class OrderMessage implements BytesMarshallable
{
    /** The order's side. */
    public enum Side
    {
        /** Buys. */
        BUY,

        /** Sells what the account holds. */
        SELL,

        /** Sells what the account borrowed. */
        SHORT_SELL;

        private static final Side[] VALUES = values();
    }

    /** Bytes {@link #writeMarshallable} writes with the six-letter symbol {@link #filled} puts in. */
    public static final int LENGTH = 6 * Long.BYTES + 4 * Double.BYTES + 1 + 1 + 6;

    /** The order's id: the ping's sequence number. */
    public long orderId;
    /** The client's own id for the order. */
    public long clientOrderId;
    /** What is traded. */
    public long instrumentId;
    /** Whose order it is. */
    public long accountId;
    /** When it was made, in System.nanoTime() units. */
    public long timestampNanos;
    /** The sender's sequence number. */
    public long sequence;
    /** The limit price. */
    public double price;
    /** How much to trade. */
    public double quantity;
    /** The stop price. */
    public double stopPrice;
    /** How much has been traded. */
    public double filledQuantity;
    /** Buy or sell. */
    public Side side = Side.BUY;
    /** The instrument's symbol, six letters. */
    public final StringBuilder symbol = new StringBuilder(16);

    /**
     * An order with every field set, {@code orderId} 0.
     *
     * @return a new order.
     */
    public static OrderMessage filled()
    {
        final OrderMessage order = new OrderMessage();
        order.clientOrderId = 42;
        order.instrumentId = 7;
        order.accountId = 1234567;
        order.timestampNanos = System.nanoTime();
        order.sequence = 1;
        order.price = 1.08525;
        order.quantity = 1_000_000;
        order.stopPrice = 1.08;
        order.filledQuantity = 250_000;
        order.side = Side.SELL;
        order.symbol.append("EURUSD");
        return order;
    }

    @Override
    public void writeMarshallable(final BytesOut<?> bytes)
    {
        bytes.writeLong(orderId);
        bytes.writeLong(clientOrderId);
        bytes.writeLong(instrumentId);
        bytes.writeLong(accountId);
        bytes.writeLong(timestampNanos);
        bytes.writeLong(sequence);
        bytes.writeDouble(price);
        bytes.writeDouble(quantity);
        bytes.writeDouble(stopPrice);
        bytes.writeDouble(filledQuantity);
        bytes.writeByte((byte)side.ordinal());
        bytes.write8bit(symbol);
    }

    @Override
    public void readMarshallable(final BytesIn<?> bytes)
    {
        orderId = bytes.readLong();
        clientOrderId = bytes.readLong();
        instrumentId = bytes.readLong();
        accountId = bytes.readLong();
        timestampNanos = bytes.readLong();
        sequence = bytes.readLong();
        price = bytes.readDouble();
        quantity = bytes.readDouble();
        stopPrice = bytes.readDouble();
        filledQuantity = bytes.readDouble();
        final int ordinal = bytes.readUnsignedByte();
        if (ordinal >= Side.VALUES.length)
        {
            throw new IORuntimeException("side ordinal " + ordinal);
        }
        side = Side.VALUES[ordinal];
        bytes.read8bit(symbol);
    }
}
