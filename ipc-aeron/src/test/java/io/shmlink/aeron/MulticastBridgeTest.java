package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One outbound bridge, UDP multicast on the loopback interface, two inbound bridges in two registries: each
 * receives every message in order, once. Skipped, saying why, where the kernel does not loop multicast back.
 */
class MulticastBridgeTest
{
    private static final String GROUP = "224.0.1.133";
    private static final int STREAM = 9;

    @RegisterExtension
    final TempRegistry a = TempRegistry.open("aeron-mc-a-");
    @RegisterExtension
    final TempRegistry b1 = TempRegistry.open("aeron-mc-b1-");
    @RegisterExtension
    final TempRegistry b2 = TempRegistry.open("aeron-mc-b2-");
    @RegisterExtension
    final Closer closer = new Closer();

    /**
     * Why multicast on loopback does not work here, or null if a datagram sent to the group comes back.
     */
    private static String loopbackMulticastUnavailable(final int port)
    {
        try
        {
            final InetAddress group = InetAddress.getByName(GROUP);
            final NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            try (MulticastSocket receiver = new MulticastSocket(port); MulticastSocket sender = new MulticastSocket())
            {
                receiver.joinGroup(new InetSocketAddress(group, port), lo);
                receiver.setSoTimeout(2000);
                sender.setNetworkInterface(lo);
                sender.send(new DatagramPacket(new byte[] {42}, 1, group, port));
                final DatagramPacket packet = new DatagramPacket(new byte[4], 4);
                receiver.receive(packet);
                return packet.getLength() == 1 && packet.getData()[0] == 42 ? null : "a foreign datagram came back";
            }
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    @Test
    void twoInboundBridgesEachReceiveEveryMessageInOrderOnce() throws Exception
    {
        final int port = TestMessages.freeUdpPort();
        final String unavailable = loopbackMulticastUnavailable(port);
        assumeTrue(unavailable == null, "skipped: multicast on the loopback interface does not work here: " +
            unavailable);
        // fc=min: the slowest receiver holds the publisher back, so neither falls behind into loss
        final String uri = "aeron:udp?endpoint=" + GROUP + ":" + port + "|interface=127.0.0.1|fc=min";
        a.registry().create("src", ChannelConfig.spsc(1 << 20));
        final AeronBridge in1 = closer.closing(AeronBridge.inbound(uri, STREAM, b1.registry(), "dst"));
        final AeronBridge in2 = closer.closing(AeronBridge.inbound(uri, STREAM, b2.registry(), "dst"));
        final ShmSubscriber sub1 = closer.closing(b1.registry().subscriber("dst"));
        final ShmSubscriber sub2 = closer.closing(b2.registry().subscriber("dst"));
        final AeronBridge out = closer.closing(AeronBridge.outbound(a.registry(), "src", uri, STREAM));
        // both receivers must be there before anything is sent: a late one would join live
        AeronBridgeTest.awaitTrue(() -> in1.isLinkUp() && in2.isLinkUp(), "an inbound bridge never joined");
        final ShmPublisher publisher = closer.closing(a.registry().publisher("src"));

        final int count = 20_000;
        final Thread sender = new Thread(() -> AeronBridgeTest.send(publisher, 0, count, new SplittableRandom(5)));
        sender.start();
        final TestMessages messages = new TestMessages(AeronBridgeTest.MAX_LENGTH);
        final long[] next1 = {0};
        final long[] next2 = {0};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while ((next1[0] < count || next2[0] < count) && System.nanoTime() < deadline)
        {
            sub1.poll((buffer, offset, length) ->
                assertEquals(next1[0]++, messages.verify(buffer, offset, length)), 256, 1, TimeUnit.MILLISECONDS);
            sub2.poll((buffer, offset, length) ->
                assertEquals(next2[0]++, messages.verify(buffer, offset, length)), 256, 1, TimeUnit.MILLISECONDS);
        }
        sender.join();
        assertEquals(count, next1[0]);
        assertEquals(count, next2[0]);
        AeronBridgeTest.awaitTrue(() -> out.messagesForwarded() == count, () -> "outbound counted " +
            out.messagesForwarded());
    }
}
