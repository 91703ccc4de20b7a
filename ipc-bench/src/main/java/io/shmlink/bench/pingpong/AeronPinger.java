package io.shmlink.bench.pingpong;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * The pinging side of the Aeron transports: offers on the {@code ping} publication, busy-spins on the {@code pong}
 * subscription for the echo or a burst's acknowledgement, reassembling fragments. {@link AeronTransport} uses it as
 * it is; {@link AeronFanOutTransport} adds the other subscribers' acknowledgements and their final count.
 */
class AeronPinger extends RingPinger implements FragmentHandler
{
    /** One fragment per poll: a round trip takes one message, and the loop checks after each. */
    private static final int FRAGMENT_LIMIT = 1;

    private final Aeron aeron;
    private final ExclusivePublication ping;
    private final Subscription pong;
    private final FragmentAssembler assembler = new FragmentAssembler(this);
    private boolean received;

    AeronPinger(final Aeron aeron, final ExclusivePublication ping, final Subscription pong,
        final int messageLength, final PeerWatch watch)
    {
        super(messageLength, watch);
        this.aeron = aeron;
        this.ping = ping;
        this.pong = pong;
    }

    @Override
    public long roundTrip(final long sequence)
    {
        message.putLong(0, sequence);
        send(message, sequence);
        sent++;
        await(pong, assembler, sequence);
        return echoed;
    }

    @Override
    public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
    {
        if (mode != SendMode.OFFER)
        {
            throw new UnsupportedOperationException("aeron sends by offer only");
        }
        payload = Payload.orNew(payload, messageLength);
        final int last = count - 1;
        for (int i = 0; i < count; i++)
        {
            final long sequence = firstSequence + i;
            send(payload.stamp(sequence, i == last), sequence);
        }
        sent += count;
        inBurst = true;
        await(pong, assembler, firstSequence + last);
        inBurst = false;
        afterBurst(firstSequence + last, acknowledgement);
        return acknowledgement;
    }

    private void send(final DirectBuffer source, final long sequence)
    {
        long result;
        long spins = 0;
        while ((result = ping.offer(source, 0, messageLength)) < 0)
        {
            if (!AeronTransport.isTransient(result))
            {
                throw AeronTransport.refused("ping", result);
            }
            spins = PeerWatch.spin(watch, spins, sequence);
        }
    }

    /**
     * Polls until one whole message has arrived (a poll that returns 1 may have taken a fragment of it): the
     * handler says so by {@link #received()}.
     */
    final void await(final Subscription subscription, final FragmentAssembler handler, final long sequence)
    {
        received = false;
        long spins = 0;
        while (!received)
        {
            if (subscription.poll(handler, FRAGMENT_LIMIT) == 0)
            {
                spins = PeerWatch.spin(watch, spins, sequence);
            }
        }
    }

    /** A handler of {@link #await} has had its whole message. */
    final void received()
    {
        received = true;
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        reply(buffer, offset, length);
        received = true;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(ping, pong, aeron);
    }
}
