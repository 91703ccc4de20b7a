package io.shmlink.bench.pingpong;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * Aeron IPC ({@code aeron:ipc}): the pinging JVM embeds a media driver whose directory is in the transport's
 * directory (so under {@code /dev/shm}, unique to the run, deleted by the driver's close and again with the run
 * directory); the echo child connects to that directory as an Aeron client. Each side has one
 * {@link ExclusivePublication} (ping one way, pong the other) and one {@link Subscription}. Both hot loops
 * busy-spin on {@code poll}, as the ring transports do; the driver's threading is {@link AeronDriver}'s.
 * <p>
 * The echo offers the ping's bytes on the pong publication from inside its fragment handler: one copy, log to log,
 * as the ring transports' echoes do. Unlike a ring's offer, an Aeron offer may be refused for a moment even in
 * ping-pong: {@code ADMIN_ACTION} at each term rotation, {@code BACK_PRESSURED} if the driver has not yet moved the
 * publication limit; both sides retry those. {@code CLOSED} and {@code MAX_POSITION_EXCEEDED} fail the run.
 * <p>
 * Messages longer than the IPC MTU arrive in fragments, so the handlers sit behind a {@link FragmentAssembler},
 * which passes unfragmented messages straight through and reuses one growing buffer for the others: so in throughput
 * mode a message longer than the MTU is copied once by the assembler before the sink reads it, even "in place".
 * Aeron's {@code tryClaim} takes only messages up to the MTU, so this transport sends by {@code offer} only.
 */
public final class AeronTransport extends NamedTransport
{
    /** The stream of pings; {@link AeronFanOutTransport}'s too. */
    static final int PING_STREAM = 1001;
    /** The stream of pongs and acknowledgements; {@link AeronFanOutTransport}'s too. */
    static final int PONG_STREAM = 1002;
    private static final int FRAGMENT_LIMIT = 1;

    /**
     * Fragments per poll of the sink in a throughput run. Aeron's subscriber position moves when a poll returns, as
     * a ring's head does, but the publication may run half a term ahead of it (at least 1 MiB), more than this many
     * fragments, so the limit does not hold the publisher up.
     */
    static final int SINK_FRAGMENT_LIMIT = 256;

    private MediaDriver driver;

    /** Needed by {@link Transports}. */
    public AeronTransport()
    {
        super("aeron", ThroughputModes.OFFER);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return AeronDriver.describe(link, "exclusive publications both ways");
    }

    /**
     * Starts the media driver, before the child starts: the child's client connects to it in {@link #openEcho}.
     */
    @Override
    public void create(final LinkSpec link)
    {
        driver = AeronDriver.launch(link);
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return Transport.openOn(AeronDriver.connect(link), aeron ->
        {
            final ExclusivePublication ping = aeron.addExclusivePublication(AeronDriver.channel(link), PING_STREAM);
            final Subscription pong = aeron.addSubscription(AeronDriver.CHANNEL, PONG_STREAM);
            // The child added its ping subscription and pong publication before it printed READY; the images
            // appear once the driver has linked them, a few duty cycles later.
            long spins = 0;
            while (!ping.isConnected() || !pong.isConnected())
            {
                spins = PeerWatch.spin(watch, spins, 0);
            }
            return new AeronPinger(aeron, ping, pong, link.messageLength(), watch);
        });
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return echo(link);
    }

    /**
     * The echo: subscribes to the ping stream and offers every message on its own pong publication; in throughput
     * mode sinks the ping stream and acknowledges on the pong one. The echo child's subscription of
     * {@link AeronFanOutTransport}'s ping stream is this echo too.
     *
     * @param link the transport's directory and message length.
     * @return the echo, owning its Aeron client.
     */
    static Echo echo(final LinkSpec link)
    {
        return Transport.openOn(AeronDriver.connect(link), aeron ->
        {
            final Subscription ping = aeron.addSubscription(AeronDriver.CHANNEL, PING_STREAM);
            final ExclusivePublication pong = aeron.addExclusivePublication(AeronDriver.channel(link), PONG_STREAM);
            return new AeronEcho(aeron, ping, pong, link.messageLength(), null);
        });
    }

    /**
     * Stops the media driver (parent only; the child has none), which deletes its directory.
     */
    @Override
    public void close()
    {
        CloseHelper.close(driver);
        driver = null;
    }

    /**
     * Whether an offer's negative result is worth retrying: back-pressure and term rotation pass, and
     * {@code NOT_CONNECTED} does too while the peer's subscription is being linked (a dead peer is the watch's
     * business).
     */
    static boolean isTransient(final long result)
    {
        return result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION ||
            result == Publication.NOT_CONNECTED;
    }

    static IllegalStateException refused(final String stream, final long result)
    {
        return new IllegalStateException("offer on the " + stream + " publication returned " +
            Publication.errorString(result));
    }

    /**
     * The echo and sink of a ping subscription, answering on a pong publication; {@link AeronUdpTransport}'s too.
     */
    static final class AeronEcho implements Echo, FragmentHandler
    {
        private final AutoCloseable driver;
        private final Aeron aeron;
        private final Subscription ping;
        private final ExclusivePublication pong;
        private final FragmentAssembler echoAssembler = new FragmentAssembler(this);
        private final FragmentAssembler sinkAssembler = new FragmentAssembler(this::count);
        private final int messageLength;
        private BurstSink burstSink;
        private EchoControl control;
        private int index;

        /**
         * @param aeron         the client; closed by {@link #close()}.
         * @param ping          the subscription of pings.
         * @param pong          the publication of pongs and acknowledgements.
         * @param messageLength bytes per message.
         * @param driver        a media driver of this process, closed after the client, or null.
         */
        AeronEcho(final Aeron aeron, final Subscription ping, final ExclusivePublication pong,
            final int messageLength, final AutoCloseable driver)
        {
            this.driver = driver;
            this.aeron = aeron;
            this.ping = ping;
            this.pong = pong;
            this.messageLength = messageLength;
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            this.control = control;
            this.index = index;
            while (true)
            {
                if (ping.poll(echoAssembler, FRAGMENT_LIMIT) == 0 && !control.idle(index))
                {
                    return;
                }
            }
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            offer(buffer, offset, length);
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            this.control = control;
            this.index = index;
            burstSink = BurstSink.inMode(burstSink, messageLength, mode);
            while (true)
            {
                if (ping.poll(sinkAssembler, SINK_FRAGMENT_LIMIT) == 0 && !control.idle(index))
                {
                    return;
                }
            }
        }

        private void count(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (burstSink.onMessage(buffer, offset, length))
            {
                offer(burstSink.acknowledgement(), 0, length);
            }
        }

        /**
         * Retries a transient refusal until the parent no longer wants this transport served: a parent that failed
         * and went away leaves the publication unconnected, and the echo must still notice STOP.
         */
        private void offer(final DirectBuffer buffer, final int offset, final int length)
        {
            long result;
            while ((result = pong.offer(buffer, offset, length)) < 0)
            {
                if (!isTransient(result))
                {
                    throw refused("pong", result);
                }
                if (!control.idle(index))
                {
                    return;
                }
            }
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(ping, pong, aeron, burstSink, driver);
        }
    }
}
