package io.shmlink.aeron;

import io.aeron.Subscription;
import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmPublisher;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.shmlink.aeron.AeronBridgeTest.awaitTrue;
import static io.shmlink.aeron.AeronBridgeTest.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code shmlink stat} reads of the bridges in a media driver ({@link BridgeCounters#read}) when their Aeron
 * URIs are longer than a counter's label may be ({@value CountersReader#MAX_LABEL_LENGTH} characters): each bridge
 * still reads as itself, with its own channel and counts. The bridges share an external driver, as several bridges
 * with {@code --aeron-dir} do, and send over IPC to a subscription of the test's own.
 */
class BridgeCountersTest
{
    /** A 64 KiB term, and an alias that makes the URI longer than any label. */
    private static final String LONG_URI_START =
        "aeron:ipc?term-length=64k|alias=" + "start-of-a-long-alias.".repeat(12);
    private static final String LONG_URI_END = ".end-of-a-long-alias".repeat(12);

    @RegisterExtension
    final ExternalMediaDriver aeron = new ExternalMediaDriver("aeron-counters-");
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
    private final TestMessages messages = new TestMessages(100);
    private final SplittableRandom random = new SplittableRandom(23);

    /** Publishes {@code count} messages into a local channel and waits until the bridge has forwarded them all. */
    private void carry(final ShmPublisher publisher, final AeronBridge bridge, final Subscription farSubscription,
        final int count)
    {
        final long before = bridge.messagesForwarded();
        for (int i = 0; i < count; i++)
        {
            offer(publisher, buffer, messages.encode(buffer, i, 100, random));
        }
        awaitTrue(() -> farSubscription.poll((b, o, l, h) -> {}, 256) >= 0 &&
            bridge.messagesForwarded() == before + count, () -> bridge + " forwarded " + bridge.messagesForwarded());
    }

    /** Every bridge counter's label in the driver, as Aeron keeps it. */
    private List<String> bridgeLabels()
    {
        final List<String> labels = new ArrayList<>();
        aeron.farSide().countersReader().forEach((counterId, typeId, key, label) ->
        {
            if (typeId >= BridgeCounters.MESSAGES && typeId <= BridgeCounters.LOST_ON_CLOSE)
            {
                labels.add(label);
            }
        });
        return labels;
    }

    @Test
    void bridgesWithAUriLongerThanALabelReadAsThemselvesWithTheirOwnCounts() throws Exception
    {
        final String uri = LONG_URI_START + LONG_URI_END;
        assertTrue(uri.length() > CountersReader.MAX_LABEL_LENGTH, "the URI must not fit a label: " + uri.length());
        aeron.registry().create("orders", ChannelConfig.spsc(1 << 16));
        aeron.registry().create("quotes", ChannelConfig.spsc(1 << 16));
        final Subscription far = aeron.farSubscription("aeron:ipc", 31);
        final Subscription farToo = aeron.farSubscription("aeron:ipc", 32);
        final AeronBridge orders = aeron.outbound("orders", uri, 31);
        final AeronBridge quotes = aeron.outbound("quotes", uri, 32);
        carry(aeron.closing(aeron.registry().publisher("orders")), orders, far, 3);
        carry(aeron.closing(aeron.registry().publisher("quotes")), quotes, farToo, 5);

        for (final String label : bridgeLabels())
        {
            assertTrue(label.length() <= CountersReader.MAX_LABEL_LENGTH && label.matches(".* stream 3[12]: [a-z-]+"),
                "a label Aeron had to cut: " + label);
        }
        final List<BridgeCounters.Bridge> bridges = BridgeCounters.read(aeron.aeronDirectory());
        assertEquals(2, bridges.size(), bridges::toString);
        final BridgeCounters.Bridge first = bridges.get(0);
        final BridgeCounters.Bridge second = bridges.get(1);
        assertEquals("orders", first.channel());
        assertEquals(3, first.value(BridgeCounters.MESSAGES));
        assertEquals(orders.bytesForwarded(), first.value(BridgeCounters.BYTES));
        assertEquals(1, first.value(BridgeCounters.LINK_UPS));
        assertEquals("quotes", second.channel());
        assertEquals(5, second.value(BridgeCounters.MESSAGES));
        assertEquals(quotes.bytesForwarded(), second.value(BridgeCounters.BYTES));
        // the URI's start and end are kept, its middle shortened
        assertTrue(first.description().startsWith("out orders -> " + LONG_URI_START.substring(0, 100)) &&
            first.description().contains("...") && first.description().endsWith(".end-of-a-long-alias stream 31"),
            first.description());
        assertTrue(second.description().startsWith("out quotes -> " + LONG_URI_START.substring(0, 100)) &&
            second.description().endsWith(".end-of-a-long-alias stream 32"), second.description());
    }

    /**
     * Two bridges of one fan-out channel to URIs that differ only in the part a label leaves out: their
     * descriptions read the same, and still their counters are not mixed.
     */
    @Test
    void twoBridgesWhoseDescriptionsReadTheSameAreStillTwo() throws Exception
    {
        final String one = LONG_URI_START + "-one-" + LONG_URI_END;
        final String two = LONG_URI_START + "-two-" + LONG_URI_END;
        aeron.registry().create("prices", ChannelConfig.spmc(1 << 16, 2));
        final Subscription far = aeron.farSubscription("aeron:ipc", 33);
        final ShmPublisher publisher = aeron.closing(aeron.registry().publisher("prices"));
        final AeronBridge first = aeron.outbound("prices", one, 33);
        carry(publisher, first, far, 3);
        final AeronBridge second = aeron.outbound("prices", two, 33);
        carry(publisher, second, far, 2); // the second joins live: it carries these two, the first all five
        awaitTrue(() -> first.messagesForwarded() == 5, () -> "the first bridge forwarded " +
            first.messagesForwarded());

        final List<BridgeCounters.Bridge> bridges = BridgeCounters.read(aeron.aeronDirectory());
        assertEquals(2, bridges.size(), bridges::toString);
        assertEquals(bridges.get(0).description(), bridges.get(1).description(),
            "the premise: no label tells them apart");
        assertEquals(5, bridges.get(0).value(BridgeCounters.MESSAGES));
        assertEquals(2, bridges.get(1).value(BridgeCounters.MESSAGES));
        assertEquals(1, bridges.get(0).value(BridgeCounters.LINK_UPS));
        assertEquals(1, bridges.get(1).value(BridgeCounters.LINK_UPS));
    }
}
