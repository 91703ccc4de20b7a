package io.shmlink.bench.pingpong;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;

import java.io.IOException;

/**
 * Plain Aeron over UDP unicast on 127.0.0.1 ({@code aeron-udp}): the baseline of {@link ShmLinkAeronBridgeTransport}.
 * Each JVM embeds its own media driver ({@link AeronUdp}: busy-spinning, as Aeron's low-latency driver); the pinger
 * offers on an exclusive publication to the echo JVM's ping port and polls its subscription of the pong port, the
 * echo the other way round. Pinger and echo are {@link AeronTransport}'s: the pinger copies every pong out whole,
 * the echo offers each ping's bytes back from inside its fragment handler, both retry transient refusals, both
 * reassemble fragments (a message longer than the MTU, 1408 bytes, travels in several datagrams).
 * <p>
 * Throughput mode as {@code aeron}'s: by offer only, sunk in place or copied out.
 * <p>
 * Run only when named ({@link Transports#byNameOnly()}): with two drivers spinning besides the pinger and the echo
 * (six more with {@code DEDICATED}), a two-core host measures its scheduler.
 */
public final class AeronUdpTransport extends UdpDriverTransport
{
    /** Needed by {@link Transports}. */
    public AeronUdpTransport()
    {
        super("aeron-udp", ThroughputModes.OFFER);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return AeronUdp.describe(link) + ", exclusive publications both ways; " + AeronUdp.spinningThreads(0) +
            " threads spin: wants about 6+ idle cores";
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch) throws IOException
    {
        final int[] ports = AeronUdp.ports(link);
        return Transport.openOn(AeronUdp.connect(link, AeronUdp.PINGER_DRIVER), aeron ->
        {
            final ExclusivePublication ping = aeron.addExclusivePublication(
                AeronUdp.publicationChannel(link, ports[AeronUdp.PING]), AeronTransport.PING_STREAM);
            final Subscription pong = aeron.addSubscription(
                AeronUdp.subscriptionChannel(ports[AeronUdp.PONG]), AeronTransport.PONG_STREAM);
            // The child's subscription and publication exist (it printed READY): the drivers link them by setup
            // and status messages, a few duty cycles later.
            long spins = 0;
            while (!ping.isConnected() || !pong.isConnected())
            {
                spins = PeerWatch.spin(watch, spins, 0);
            }
            return new AeronPinger(aeron, ping, pong, link.messageLength(), watch);
        });
    }

    /**
     * Starts the echo JVM's own driver and the echo on it; the echo closes the driver last.
     */
    @Override
    public Echo openEcho(final LinkSpec link) throws IOException
    {
        final int[] ports = AeronUdp.ports(link);
        return Transport.openOn(AeronUdp.launch(link, AeronUdp.ECHO_DRIVER), echoDriver ->
            Transport.openOn(AeronUdp.connect(link, AeronUdp.ECHO_DRIVER), aeron ->
            {
                final Subscription ping = aeron.addSubscription(
                    AeronUdp.subscriptionChannel(ports[AeronUdp.PING]), AeronTransport.PING_STREAM);
                final ExclusivePublication pong = aeron.addExclusivePublication(
                    AeronUdp.publicationChannel(link, ports[AeronUdp.PONG]), AeronTransport.PONG_STREAM);
                return new AeronTransport.AeronEcho(aeron, ping, pong, link.messageLength(), echoDriver);
            }));
    }
}
