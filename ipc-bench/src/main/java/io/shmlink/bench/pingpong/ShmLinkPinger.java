package io.shmlink.bench.pingpong;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The pinging side of the ShmLink transports: offers (or claims) on {@code ping}, busy-spins on {@code pong} for
 * the echo or a burst's acknowledgement. {@link ShmLinkTransport} uses it as it is; {@link ShmLinkFanOutTransport}
 * adds the other subscribers' acknowledgements after each burst and their final count at close;
 * {@link ShmLinkBlockingTransport} waits instead of spinning ({@link #waitForRoom}, {@link #awaitPong}).
 */
class ShmLinkPinger extends RingPinger implements MessageHandler
{
    private final ShmRegistry registry;
    private final String pingName;
    private final Publisher ping;
    /** The subscriber of echoes and acknowledgements. */
    final Subscriber pong;
    private final BufferClaim claim = new BufferClaim();

    /**
     * @param registry      the transport's registry; closed by {@link #close}.
     * @param pingName      the channel {@code ping} is, for messages.
     * @param ping          the publisher of pings.
     * @param pong          the subscriber of echoes and acknowledgements.
     * @param messageLength bytes per ping.
     * @param watch         told while a wait goes on.
     */
    ShmLinkPinger(final ShmRegistry registry, final String pingName, final Publisher ping, final Subscriber pong,
        final int messageLength, final PeerWatch watch)
    {
        super(messageLength, watch);
        this.registry = registry;
        this.pingName = pingName;
        this.ping = ping;
        this.pong = pong;
    }

    @Override
    public long roundTrip(final long sequence)
    {
        message.putLong(0, sequence);
        final long result = await(sequence, false, message);
        if (result <= 0)
        {
            throw ShmLinkTransport.refused(pingName, result);
        }
        sent++;
        awaitPong(sequence);
        return echoed;
    }

    @Override
    public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
    {
        payload = Payload.orNew(payload, messageLength);
        final int last = count - 1;
        for (int i = 0; i < count; i++)
        {
            final long sequence = firstSequence + i;
            if (mode == SendMode.CLAIM)
            {
                final long result = await(sequence, true, null);
                if (result <= 0)
                {
                    throw ShmLinkTransport.refused(pingName, result);
                }
                payload.fill(claim.buffer(), claim.offset(), sequence, i == last);
                claim.commit();
            }
            else
            {
                final long result = await(sequence, false, payload.stamp(sequence, i == last));
                if (result <= 0)
                {
                    throw ShmLinkTransport.refused(pingName, result);
                }
            }
        }
        sent += count;
        inBurst = true;
        awaitPong(firstSequence + last);
        inBurst = false;
        afterBurst(firstSequence + last, acknowledgement);
        return acknowledgement;
    }

    /**
     * Offers (or claims room for) one message, waiting out a full ring (fan-out: one that the slowest subscriber
     * has not emptied).
     */
    private long await(final long sequence, final boolean claiming, final UnsafeBuffer source)
    {
        long result;
        long spins = 0;
        while ((result = claiming ? ping.tryClaim(messageLength, claim) : ping.offer(source, 0, messageLength)) ==
            Publisher.BACK_PRESSURED)
        {
            spins = waitForRoom(spins, sequence);
        }
        return result;
    }

    /**
     * One fruitless attempt to send into a full ring: spins here.
     *
     * @param spins    fruitless attempts so far in this wait; 0 at the first.
     * @param sequence the message waiting to be sent.
     * @return {@code spins + 1}.
     */
    long waitForRoom(final long spins, final long sequence)
    {
        return PeerWatch.spin(watch, spins, sequence);
    }

    /**
     * Waits for the echo of {@code sequence} or a burst's acknowledgement, handed to {@link #onMessage}: spins here.
     *
     * @param sequence what is awaited.
     */
    void awaitPong(final long sequence)
    {
        long spins = 0;
        while (pong.poll(this, 1) == 0)
        {
            spins = PeerWatch.spin(watch, spins, sequence);
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        reply(buffer, offset, length);
    }

    @Override
    public void close()
    {
        registry.close();
    }
}
