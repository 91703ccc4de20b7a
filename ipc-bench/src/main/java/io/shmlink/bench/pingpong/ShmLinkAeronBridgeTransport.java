package io.shmlink.bench.pingpong;

import io.aeron.driver.MediaDriver;
import io.shmlink.aeron.AeronBridge;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.ShmRegistry;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * ShmLink channels carried between the two JVMs by {@link AeronBridge}s over UDP on 127.0.0.1
 * ({@code shmlink-aeron-bridge}): what issue 21 measures against {@link AeronUdpTransport}. Each side has a registry
 * directory of its own in the transport's directory ({@value #PINGER_SIDE}, {@value #ECHO_SIDE}), each holding SPSC
 * channels {@code ping} and {@code pong} of the run's ring capacity, created by the parent. A ping goes
 * <pre>
 * pinger -> ping -> outbound bridge -> UDP -> inbound bridge -> ping -> echo     (echo JVM's side)
 * (pinger JVM's side)
 * pinger <- pong <- inbound bridge  <- UDP <- outbound bridge <- pong <- echo
 * </pre>
 * Each JVM embeds one media driver, shared by its two bridges ({@link AeronBridge.Options#aeronDir}) and set up
 * exactly as {@code aeron-udp}'s ({@link AeronUdp}), on the same kind of ports, streams and terms; the bridges
 * busy-spin too ({@link AeronBridge.Options#idleStrategy}). Pinger and echo are {@link ShmLinkTransport}'s,
 * publishing into and polling the local channels: the pinger copies every pong out whole.
 * <p>
 * Throughput mode by offer, sunk in place or copied out, as {@code aeron-udp}'s, so that the two compare like for
 * like (the local rings could also take a claim; the bridges carry the same bytes either way). As for every
 * transport, a throughput run's messages are at least 56 bytes (an {@link Acknowledgement}'s length): the issue's
 * 32-byte point runs at 56.
 * <p>
 * Run only when named ({@link Transports#byNameOnly()}): four bridge threads and two drivers spin besides the pinger
 * and the echo.
 */
public final class ShmLinkAeronBridgeTransport extends UdpDriverTransport
{
    /** The pinging JVM's registry directory, in the transport's directory. */
    static final String PINGER_SIDE = "pinger";
    /** The echo JVM's registry directory, in the transport's directory. */
    static final String ECHO_SIDE = "echo";
    /** Bridge threads, in both JVMs together. */
    private static final int BRIDGES = 4;

    /** Needed by {@link Transports}. */
    public ShmLinkAeronBridgeTransport()
    {
        super("shmlink-aeron-bridge", ThroughputModes.OFFER);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "ShmLink SPSC channels of " + link.ringCapacity() / 1024 + " KiB on each side, bridged both ways by " +
            "AeronBridge over " + AeronUdp.describe(link) + ", two bridges in each JVM; " +
            AeronUdp.spinningThreads(BRIDGES) + " threads spin: wants about 6+ idle cores";
    }

    /**
     * Creates both sides' channels, then picks the ports and starts the pinging JVM's driver, before the child
     * starts.
     */
    @Override
    public void create(final LinkSpec link) throws IOException
    {
        for (final String side : List.of(PINGER_SIDE, ECHO_SIDE))
        {
            final LinkSpec sideLink = side(link, side);
            Files.createDirectories(sideLink.directory());
            ShmLinkTransport.createPingPong(sideLink, ChannelMode.SPSC);
        }
        super.create(link);
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch) throws IOException
    {
        final int[] ports = AeronUdp.ports(link);
        final AeronBridge.Options options = options(link, AeronUdp.PINGER_DRIVER);
        return Transport.openOn(ShmRegistry.open(side(link, PINGER_SIDE).directory()), registry ->
        {
            final AeronBridge outbound = AeronBridge.outbound(registry, ShmLinkTransport.PING,
                AeronUdp.publicationChannel(link, ports[AeronUdp.PING]), AeronTransport.PING_STREAM, options);
            return Transport.openOn(outbound, out ->
            {
                final AeronBridge inbound = AeronBridge.inbound(AeronUdp.subscriptionChannel(ports[AeronUdp.PONG]),
                    AeronTransport.PONG_STREAM, registry, ShmLinkTransport.PONG, options);
                return Transport.openOn(inbound, in ->
                {
                    // The echo JVM's bridges exist (it printed READY): the drivers link them a few duty cycles later.
                    long spins = 0;
                    while (!out.isLinkUp() || !in.isLinkUp())
                    {
                        if (!out.isRunning() || !in.isRunning())
                        {
                            throw new IllegalStateException("a bridge stopped: " + out + " " + out.failure() +
                                ", " + in + " " + in.failure());
                        }
                        spins = PeerWatch.spin(watch, spins, 0);
                    }
                    return new BridgedPinger(registry, link.messageLength(), watch, out, in);
                });
            });
        });
    }

    /**
     * Starts the echo JVM's driver, its two bridges and the echo on its side's channels; the echo closes them all.
     */
    @Override
    public Echo openEcho(final LinkSpec link) throws IOException
    {
        final int[] ports = AeronUdp.ports(link);
        final AeronBridge.Options options = options(link, AeronUdp.ECHO_DRIVER);
        return Transport.openOn(AeronUdp.launch(link, AeronUdp.ECHO_DRIVER), echoDriver ->
            Transport.openOn(ShmRegistry.open(side(link, ECHO_SIDE).directory()), registry ->
            {
                final AeronBridge inbound = AeronBridge.inbound(AeronUdp.subscriptionChannel(ports[AeronUdp.PING]),
                    AeronTransport.PING_STREAM, registry, ShmLinkTransport.PING, options);
                return Transport.openOn(inbound, in ->
                {
                    final AeronBridge outbound = AeronBridge.outbound(registry, ShmLinkTransport.PONG,
                        AeronUdp.publicationChannel(link, ports[AeronUdp.PONG]), AeronTransport.PONG_STREAM, options);
                    return Transport.openOn(outbound, out ->
                        new BridgedEcho(registry, link, in, out, echoDriver));
                });
            }));
    }

    private static LinkSpec side(final LinkSpec link, final String side)
    {
        return new LinkSpec(link.directory().resolve(side), link.messageLength(), link.throughput(), link.index());
    }

    private static AeronBridge.Options options(final LinkSpec link, final String driverDirectory)
    {
        return new AeronBridge.Options()
            .aeronDir(AeronUdp.driverDirectory(link, driverDirectory))
            .idleStrategy(AeronUdp.idleStrategy());
    }

    /** {@link ShmLinkPinger} on the pinger's side, closing its bridges before its registry. */
    private static final class BridgedPinger extends ShmLinkPinger
    {
        private final AeronBridge outbound;
        private final AeronBridge inbound;

        BridgedPinger(final ShmRegistry registry, final int messageLength, final PeerWatch watch,
            final AeronBridge outbound, final AeronBridge inbound)
        {
            super(registry, ShmLinkTransport.PING, registry.publisher(ShmLinkTransport.PING),
                registry.subscriber(ShmLinkTransport.PONG), messageLength, watch);
            this.outbound = outbound;
            this.inbound = inbound;
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(outbound, inbound);
            super.close();
        }
    }

    /** {@link ShmLinkTransport}'s echo on the echo's side, closing its bridges, its registry, then the driver. */
    private static final class BridgedEcho extends ShmLinkTransport.ShmLinkEcho
    {
        private final AeronBridge inbound;
        private final AeronBridge outbound;
        private final MediaDriver driver;

        BridgedEcho(final ShmRegistry registry, final LinkSpec link, final AeronBridge inbound,
            final AeronBridge outbound, final MediaDriver driver)
        {
            super(registry, link);
            this.inbound = inbound;
            this.outbound = outbound;
            this.driver = driver;
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(inbound, outbound);
            super.close();
            CloseHelper.close(driver);
        }
    }
}
