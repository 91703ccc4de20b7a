package io.shmlink.examples.chronicle;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;
import net.openhft.chronicle.core.io.IORuntimeException;

/**
 * An order as a Chronicle {@link BytesMarshallable}: twelve fields written and read one by one, the way a DTO
 * already used with Chronicle Queue is written. Reading allocates nothing (the symbol goes into a reused
 * {@link StringBuilder}), and reading checks what it reads, since shared memory is written by another process.
 */
public final class Order implements BytesMarshallable
{
    /** Buy or sell. */
    public enum Side
    {
        /** The order buys. */
        BUY,

        /** The order sells. */
        SELL
    }

    private static final Side[] SIDES = Side.values();

    /**
     * The channel both example programs open: 64 KiB, messages of at most 256 bytes. A publisher of
     * marshallables claims the maximum for each message, so a maximum fitted to the DTO (90-odd bytes here) keeps
     * some 240 in the ring instead of the default shape's 8.
     */
    public static final ChannelConfig CHANNEL = new ChannelConfig(ChannelMode.SPSC, 64 * 1024, 256);

    /** This order's id. */
    public long orderId;

    /** The client the order is for. */
    public long clientId;

    /** The instrument traded. */
    public long instrumentId;

    /** The account the order is booked to. */
    public long accountId;

    /** When the order was made, in nanoseconds of its sender's clock. */
    public long timestampNanos;

    /** The id of the order this one was derived from. */
    public long parentOrderId;

    /** The price per unit. */
    public double price;

    /** The units ordered. */
    public double quantity;

    /** The worst price per unit the order may be filled at. */
    public double limitPrice;

    /** The units filled so far. */
    public double filledQuantity;

    /** Buy or sell; {@link Side#BUY} until set. */
    public Side side = Side.BUY;

    /**
     * The instrument's symbol, written as 8-bit characters (one above 255 fails the write); read into this same
     * builder, allocating nothing.
     */
    public final StringBuilder symbol = new StringBuilder(16);

    @Override
    public void writeMarshallable(final BytesOut<?> bytes)
    {
        bytes.writeLong(orderId).writeLong(clientId).writeLong(instrumentId).writeLong(accountId);
        bytes.writeLong(timestampNanos).writeLong(parentOrderId);
        bytes.writeDouble(price).writeDouble(quantity).writeDouble(limitPrice).writeDouble(filledQuantity);
        bytes.writeByte((byte)side.ordinal());
        writeSymbol(bytes);
    }

    /**
     * write8bit's format (a stop-bit length, then a byte per char), which read8bit reads, in one pass that also
     * refuses a char above 255 as write8bit does (after writing it: a publisher aborts the claim of a write that
     * throws). write8bit itself sends a StringBuilder through its generic CharSequence path, and append8bit sends
     * such a char as a question mark (docs/CHRONICLE.md, "Measured").
     */
    private void writeSymbol(final BytesOut<?> bytes)
    {
        final int length = symbol.length();
        bytes.writeStopBit(length);
        int allChars = 0;
        for (int i = 0; i < length; i++)
        {
            final char c = symbol.charAt(i);
            allChars |= c;
            bytes.writeByte((byte)c);
        }
        if (allChars > 0xFF)
        {
            throw new IllegalArgumentException("symbol " + symbol + " has a char that does not fit the 8 bits it " +
                "is sent in");
        }
    }

    @Override
    public void readMarshallable(final BytesIn<?> bytes)
    {
        orderId = bytes.readLong();
        clientId = bytes.readLong();
        instrumentId = bytes.readLong();
        accountId = bytes.readLong();
        timestampNanos = bytes.readLong();
        parentOrderId = bytes.readLong();
        price = bytes.readDouble();
        quantity = bytes.readDouble();
        limitPrice = bytes.readDouble();
        filledQuantity = bytes.readDouble();
        final int ordinal = bytes.readUnsignedByte();
        if (ordinal >= SIDES.length)
        {
            throw new IORuntimeException("side ordinal " + ordinal);
        }
        side = SIDES[ordinal];
        bytes.read8bit(symbol);
    }
}
