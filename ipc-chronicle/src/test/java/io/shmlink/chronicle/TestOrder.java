package io.shmlink.chronicle;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;
import net.openhft.chronicle.core.io.IORuntimeException;

/**
 * An order of twelve fields (six longs, four doubles, an enum, a short string) written field by field, and a
 * generator of the n-th order of a stream, so that a reader in another process checks every field of every
 * message without being sent the expected values. Reading allocates nothing: the symbol goes into a reused
 * {@link StringBuilder}.
 */
final class TestOrder implements BytesMarshallable
{
    enum Side
    {
        BUY, SELL, SHORT_SELL;

        static final Side[] VALUES = values();
    }

    /** Symbols of 0 to 12 characters, so messages vary in length. */
    static final String[] SYMBOLS = {"", "X", "EURUSD", "VOD.L", "BRK.A", "GBPJPY", "ESZ6", "AAPL", "TSLA240621",
        "MSFT.OQ", "US10Y", "SX5E", "NIFTY50FUTQ"};

    long orderId;
    long clientOrderId;
    long instrumentId;
    long accountId;
    long timestampNanos;
    long sequence;
    double price;
    double quantity;
    double stopPrice;
    double filledQuantity;
    Side side = Side.BUY;
    final StringBuilder symbol = new StringBuilder(16);

    /** The n-th order of the stream. */
    TestOrder fill(final long n)
    {
        orderId = n;
        clientOrderId = n * 31 + 7;
        instrumentId = n % 1_000;
        accountId = Long.rotateLeft(n * 0x9E3779B97F4A7C15L, 17);
        timestampNanos = 1_700_000_000_000_000_000L + n * 1_000;
        sequence = -n;
        price = 100 + (n % 10_000) * 0.01;
        quantity = (n % 500) + 0.5;
        stopPrice = -n * 0.25;
        filledQuantity = n / 3.0;
        side = Side.VALUES[(int)(n % Side.VALUES.length)];
        symbol.setLength(0);
        symbol.append(SYMBOLS[(int)(n % SYMBOLS.length)]);
        return this;
    }

    /**
     * @return null if this is the n-th order of the stream, else the first field that differs.
     */
    String differenceFrom(final long n)
    {
        final String symbolExpected = SYMBOLS[(int)(n % SYMBOLS.length)];
        if (orderId != n)
        {
            return "orderId " + orderId + " != " + n;
        }
        if (clientOrderId != n * 31 + 7)
        {
            return "clientOrderId " + clientOrderId;
        }
        if (instrumentId != n % 1_000)
        {
            return "instrumentId " + instrumentId;
        }
        if (accountId != Long.rotateLeft(n * 0x9E3779B97F4A7C15L, 17))
        {
            return "accountId " + accountId;
        }
        if (timestampNanos != 1_700_000_000_000_000_000L + n * 1_000)
        {
            return "timestampNanos " + timestampNanos;
        }
        if (sequence != -n)
        {
            return "sequence " + sequence;
        }
        if (price != 100 + (n % 10_000) * 0.01)
        {
            return "price " + price;
        }
        if (quantity != (n % 500) + 0.5)
        {
            return "quantity " + quantity;
        }
        if (stopPrice != -n * 0.25)
        {
            return "stopPrice " + stopPrice;
        }
        if (filledQuantity != n / 3.0)
        {
            return "filledQuantity " + filledQuantity;
        }
        if (side != Side.VALUES[(int)(n % Side.VALUES.length)])
        {
            return "side " + side;
        }
        if (!symbolExpected.contentEquals(symbol))
        {
            return "symbol '" + symbol + "' != '" + symbolExpected + "'";
        }
        return null;
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
            throw new IORuntimeException("side ordinal " + ordinal + " (shared memory is untrusted)");
        }
        side = Side.VALUES[ordinal];
        bytes.read8bit(symbol);
    }
}
