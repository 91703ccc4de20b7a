package io.shmlink.bench.pingpong;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.status.StreamCounter;
import io.shmlink.api.MessageHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * Aeron IPC fan-out ({@code aeron-ipc-fanout-N}): one {@link ExclusivePublication} on {@code aeron:ipc}, the ping
 * stream, and {@code N} subscriptions to it in {@code N} JVMs (roles: {@link FanOutTransport}), with the embedded
 * media driver, terms and driver threading of {@link AeronTransport} ({@link AeronDriver}). Subscriber 0, the echo
 * child, offers the ping's bytes on its own exclusive publication (the pong stream) from inside its fragment handler,
 * as {@code aeron}'s echo does; so the round trip is {@code aeron}'s but for the ping stream's other subscribers.
 * <p>
 * An IPC publication's limit follows its slowest subscriber, as a ShmLink SPMC ring does; the pinger waits out
 * back-pressure and term rotation ({@link AeronTransport#isTransient}). The subscriptions exist before the
 * publication is added, and the pinger starts only once the driver has linked all {@code N} of them (it counts the
 * publication's subscriber-position counters), so every subscriber receives every ping. In throughput mode each side
 * acknowledges every burst on its own exclusive publication (stream {@value #ACK_STREAM} + its role), and the pinger
 * waits for all of them. Sends by {@code offer} only, as {@code aeron} does; messages longer than the MTU are
 * reassembled by a {@link FragmentAssembler} on every subscriber.
 */
public final class AeronFanOutTransport extends FanOutTransport
{
    private static final int PING_STREAM = AeronTransport.PING_STREAM;
    private static final int PONG_STREAM = AeronTransport.PONG_STREAM;
    /** Stream of side subscriber {@code r}'s acknowledgements: this plus {@code r}. */
    private static final int ACK_STREAM = 1100;

    private MediaDriver driver;

    /**
     * @param subscribers how many subscriptions read every ping, the echoing one included; {@link Transports} makes
     *                    the built-in ones with 1, 2 and 3.
     */
    public AeronFanOutTransport(final int subscribers)
    {
        super("aeron-ipc-fanout-" + subscribers, ThroughputModes.OFFER, subscribers);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return AeronDriver.describe(link, "one exclusive publication") + ", to " +
            describeSubscribers("exclusive publication");
    }

    /**
     * Starts the media driver, before any child: every subscriber's client connects to it.
     */
    @Override
    public void create(final LinkSpec link)
    {
        driver = AeronDriver.launch(link);
    }

    /**
     * Adds the publication once every side has added its subscription, and waits until the driver has linked every
     * subscription to it.
     */
    @Override
    Pinger openPinger(final LinkSpec link, final FanOutSides sides)
    {
        return Transport.openOn(AeronDriver.connect(link), aeron ->
        {
            final Subscription pong = aeron.addSubscription(AeronDriver.CHANNEL, PONG_STREAM);
            final Subscription[] acks = new Subscription[link.throughput() ? sides.count() : 0];
            for (int i = 0; i < acks.length; i++)
            {
                acks[i] = aeron.addSubscription(AeronDriver.CHANNEL, ACK_STREAM + i + 1);
            }
            final ExclusivePublication ping = aeron.addExclusivePublication(AeronDriver.channel(link), PING_STREAM);
            long spins = 0;
            while (!ping.isConnected() || !pong.isConnected() || !allConnected(acks) ||
                linkedSubscribers(aeron, ping) < subscribers())
            {
                spins = PeerWatch.spin(sides, spins, 0);
            }
            final int linked = linkedSubscribers(aeron, ping);
            if (linked != subscribers())
            {
                throw new IllegalStateException("the ping publication has " + linked + " subscribers, expected " +
                    subscribers());
            }
            return new FanOutPinger(aeron, ping, pong, acks, link.messageLength(), sides);
        });
    }

    /**
     * {@code aeron}'s echo, whose subscription to the ping stream is one of the publication's, answering on its own
     * pong publication.
     */
    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return AeronTransport.echo(link);
    }

    @Override
    int sideSinkBatch(final LinkSpec link)
    {
        return AeronTransport.SINK_FRAGMENT_LIMIT;
    }

    @Override
    SideReader openSide(final LinkSpec link, final int role, final MessageHandler handler)
    {
        return Transport.openOn(AeronDriver.connect(link), aeron ->
        {
            final Subscription ping = aeron.addSubscription(AeronDriver.CHANNEL, PING_STREAM);
            final ExclusivePublication ack = link.throughput() ?
                aeron.addExclusivePublication(AeronDriver.channel(link), ACK_STREAM + role) : null;
            return new FanOutSide(aeron, ping, ack, handler);
        });
    }

    /**
     * Stops the media driver (parent only), which deletes its directory.
     */
    @Override
    public void close()
    {
        CloseHelper.close(driver);
        driver = null;
    }

    private static boolean allConnected(final Subscription[] subscriptions)
    {
        for (final Subscription subscription : subscriptions)
        {
            if (!subscription.isConnected())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * How many subscriptions the driver has linked to a publication: its subscriber-position counters, whose keys
     * carry the publication's session and stream.
     */
    private static int linkedSubscribers(final Aeron aeron, final Publication publication)
    {
        final int[] count = new int[1];
        aeron.countersReader().forEach((counterId, typeId, key, label) ->
        {
            if (typeId == AeronCounters.DRIVER_SUBSCRIBER_POSITION_TYPE_ID &&
                key.getInt(StreamCounter.SESSION_ID_OFFSET) == publication.sessionId() &&
                key.getInt(StreamCounter.STREAM_ID_OFFSET) == publication.streamId())
            {
                count[0]++;
            }
        });
        return count[0];
    }

    /**
     * {@link AeronPinger}, awaiting the other subscribers' acknowledgements after each burst and, at close, their
     * count of what they received.
     */
    private static final class FanOutPinger extends AeronPinger
    {
        private final Subscription[] acks;
        private final FragmentAssembler ackAssembler;
        private final FanOutSides sides;

        FanOutPinger(final Aeron aeron, final ExclusivePublication ping, final Subscription pong,
            final Subscription[] acks, final int messageLength, final FanOutSides sides)
        {
            super(aeron, ping, pong, messageLength, sides);
            this.acks = acks;
            this.sides = sides;
            this.ackAssembler = new FragmentAssembler((buffer, offset, length, header) ->
            {
                sides.read(buffer, offset, length);
                received();
            });
        }

        @Override
        void afterBurst(final long lastSequence, final Acknowledgement acknowledgement)
        {
            for (int i = 0; i < acks.length; i++)
            {
                await(acks[i], ackAssembler, lastSequence);
                sides.check(i + 1, acknowledgement);
            }
        }

        /**
         * Ends the side subscribers first (their clients go before the driver does), checking that each received
         * every message sent, then closes this client.
         */
        @Override
        public void close()
        {
            sides.finishThenDetach(sent(), () ->
            {
                CloseHelper.closeAll(acks);
                super.close();
            });
        }
    }

    private static final class FanOutSide implements SideReader
    {
        private final Aeron aeron;
        private final Subscription ping;
        private final ExclusivePublication ack;
        private final FragmentAssembler assembler;

        FanOutSide(final Aeron aeron, final Subscription ping, final ExclusivePublication ack,
            final MessageHandler handler)
        {
            this.aeron = aeron;
            this.ping = ping;
            this.ack = ack;
            this.assembler = new FragmentAssembler((buffer, offset, length, header) ->
                handler.onMessage(buffer, offset, length));
        }

        @Override
        public int poll(final int limit)
        {
            return ping.poll(assembler, limit);
        }

        @Override
        public void acknowledge(final DirectBuffer buffer, final int length)
        {
            long result;
            while ((result = ack.offer(buffer, 0, length)) < 0)
            {
                if (!AeronTransport.isTransient(result))
                {
                    throw AeronTransport.refused("ack", result);
                }
                if (FanOutSubscriberMain.stopping())
                {
                    return;
                }
                Thread.onSpinWait();
            }
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(ping, ack, aeron);
        }
    }
}
