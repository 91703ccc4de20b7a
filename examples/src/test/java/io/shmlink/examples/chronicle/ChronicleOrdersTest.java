package io.shmlink.examples.chronicle;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The docs/CHRONICLE.md example, publisher and subscriber on two threads of this JVM instead of two processes.
 */
class ChronicleOrdersTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-chronicle-example-");

    @Test
    void theSubscriberReceivesEveryOrderInSequence() throws Exception
    {
        final ShmRegistry registry = shm.registry();
        final CompletableFuture<String> summary = CompletableFuture.supplyAsync(
            () -> OrderSubscriber.receive(registry, "orders", 100_000, Duration.ofSeconds(20)));
        OrderPublisher.send(registry, "orders", 100_000, Duration.ofSeconds(20));
        assertEquals("received 100000 orders on 'orders', last: SELL EURUSD 1000000 @ 1.0850, notional " +
            String.format("%.0f", expectedNotional(100_000)), summary.get(30, TimeUnit.SECONDS));
    }

    @Test
    void theSubscriberGivesUpWhenNothingArrives() throws Exception
    {
        final ShmRegistry registry = shm.registry();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> OrderSubscriber.receive(registry, "quiet", 1, Duration.ofMillis(100)));
        assertEquals("nothing for 0 s after 0 orders", ex.getMessage());
    }

    @Test
    void anOrderCarriesItsSymbolInWrite8bitsFormatAndReadsBackWhole()
    {
        for (final int length : new int[] {0, 6, 127, 128, 300})
        {
            final String symbol = latin1(length);
            final Order sent = new Order();
            sent.orderId = 7;
            sent.side = Order.Side.SELL;
            sent.symbol.append(symbol);
            final Bytes<byte[]> written = Bytes.allocateElasticOnHeap(512);
            sent.writeMarshallable(written);

            final Bytes<byte[]> expected = Bytes.allocateElasticOnHeap(512);
            expected.writeLong(7).writeLong(0).writeLong(0).writeLong(0).writeLong(0).writeLong(0);
            expected.writeDouble(0).writeDouble(0).writeDouble(0).writeDouble(0);
            expected.writeByte((byte)Order.Side.SELL.ordinal()).write8bit(symbol);
            assertEquals(expected.toHexString(), written.toHexString(), "symbol of " + length);

            final Order received = new Order();
            received.symbol.append("stale");
            received.readMarshallable(written);
            assertEquals("7 SELL " + symbol, received.orderId + " " + received.side + " " + received.symbol);
        }
    }

    @Test
    void aSymbolCharThatDoesNotFitEightBitsFailsTheWrite()
    {
        final Order sent = new Order();
        sent.symbol.append("EUR\u20ac");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> sent.writeMarshallable(Bytes.allocateElasticOnHeap(128)));
        assertEquals("symbol EUR\u20ac has a char that does not fit the 8 bits it is sent in", ex.getMessage());
    }

    /** Every Latin-1 char above the control range in turn, {@code length} of them. */
    private static String latin1(final int length)
    {
        final StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.append((char)(0x20 + i % (0x100 - 0x20)));
        }
        return text.toString();
    }

    private static double expectedNotional(final int count)
    {
        double notional = 0;
        for (int i = 1; i <= count; i++)
        {
            notional += (1.0850 + (i % 100) * 0.0001) * 1_000_000;
        }
        return notional;
    }
}
