package io.shmlink.aeron;

import io.aeron.CncFileDescriptor;
import io.aeron.Subscription;
import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.registry.ChannelNames;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

import static io.shmlink.aeron.AeronBridgeTest.awaitTrue;
import static io.shmlink.aeron.AeronBridgeTest.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * However short a writer of the counters file cuts a bridge counter's label, {@link BridgeCounters#read} still finds
 * the bridge's counters and the channel they belong to: both come from the counters' key and type ids, never from
 * the label's text. Here the labels of a bridge whose channel name is as long as names get are cut, after the
 * bridge made them, inside that name and then to nothing.
 */
class CutCounterLabelsTest
{
    private static final String LONGEST_NAME = "a-channel-name-as-long-as-channel-names-may-be-".repeat(2)
        .substring(0, ChannelNames.MAX_LENGTH);

    @RegisterExtension
    final ExternalMediaDriver aeron = new ExternalMediaDriver("aeron-cut-labels-");
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
    private final TestMessages messages = new TestMessages(100);
    private final SplittableRandom random = new SplittableRandom(29);

    @Test
    void aBridgeWhoseLabelsAreCutInsideItsChannelNameStillReadsAsThatChannelWithItsCounts() throws Exception
    {
        final AeronBridge bridge = bridgeThatCarriedThreeMessages();

        cutBridgeLabels("shmlink-bridge out " + LONGEST_NAME.substring(0, 20));

        assertReadsAsTheBridge(bridge);
    }

    @Test
    void aBridgeWhoseLabelsAreCutToNothingIsStillFoundWithItsChannelAndCounts() throws Exception
    {
        final AeronBridge bridge = bridgeThatCarriedThreeMessages();

        cutBridgeLabels("");

        assertReadsAsTheBridge(bridge);
    }

    private AeronBridge bridgeThatCarriedThreeMessages()
    {
        aeron.registry().create(LONGEST_NAME, ChannelConfig.spsc(1 << 16));
        final Subscription far = aeron.farSubscription("aeron:ipc", 41);
        final AeronBridge bridge = aeron.outbound(LONGEST_NAME, "aeron:ipc?term-length=64k", 41);
        final ShmPublisher publisher = aeron.closing(aeron.registry().publisher(LONGEST_NAME));
        for (int i = 0; i < 3; i++)
        {
            offer(publisher, buffer, messages.encode(buffer, i, 100, random));
        }
        awaitTrue(() -> far.poll((b, o, l, h) -> {}, 16) >= 0 && bridge.messagesForwarded() == 3,
            () -> bridge + " forwarded " + bridge.messagesForwarded());
        return bridge;
    }

    private void assertReadsAsTheBridge(final AeronBridge bridge) throws Exception
    {
        final List<BridgeCounters.Bridge> bridges = BridgeCounters.read(aeron.aeronDirectory());
        assertEquals(1, bridges.size(), bridges::toString);
        assertEquals(LONGEST_NAME, bridges.get(0).channel());
        assertEquals(3, bridges.get(0).value(BridgeCounters.MESSAGES));
        assertEquals(bridge.bytesForwarded(), bridges.get(0).value(BridgeCounters.BYTES));
        assertEquals(1, bridges.get(0).value(BridgeCounters.LINK_UPS));
    }

    /** Rewrites every bridge counter's label in the driver's counters file, as a writer that cuts labels would. */
    private void cutBridgeLabels(final String label)
    {
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(
            aeron.aeronDirectory().resolve(CncFileDescriptor.CNC_FILE).toFile(), "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            final CountersManager counters = new CountersManager(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cnc, metaData));
            final int[] cut = {0};
            counters.forEach((counterId, typeId, key, oldLabel) ->
            {
                if (typeId >= BridgeCounters.MESSAGES && typeId <= BridgeCounters.LOST_ON_CLOSE)
                {
                    counters.setCounterLabel(counterId, label);
                    cut[0]++;
                }
            });
            assertEquals(BridgeCounters.LOST_ON_CLOSE - BridgeCounters.MESSAGES + 1, cut[0], "bridge counters cut");
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }
}
