package io.shmlink.bench.pingpong;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the pingers of the ring and log transports (ShmLink, Agrona, Aeron) share: a buffer of their own for the ping,
 * the payload of their bursts, and {@link #reply}, through which their handlers take each pong and each burst's
 * acknowledgement. Each subclass keeps its own send and wait loops, which call its transport directly.
 */
abstract class RingPinger implements Pinger
{
    /** The ping, carrying its sequence in its first 8 bytes. */
    final UnsafeBuffer message;
    /** Where each pong is copied, whole, as a socket's reader receives it: the pinger reads every byte it gets. */
    private final UnsafeBuffer received;
    final int messageLength;
    final PeerWatch watch;
    final Acknowledgement acknowledgement = new Acknowledgement();
    /** Made by the first burst ({@link Payload#orNew}). */
    Payload payload;
    /** Whether the reply awaited acknowledges a burst, rather than echoes a ping. */
    boolean inBurst;
    /** The sequence the last reply carried. */
    long echoed;
    /** Messages sent so far, bursts included. */
    long sent;

    RingPinger(final int messageLength, final PeerWatch watch)
    {
        this.messageLength = messageLength;
        this.message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(messageLength, 64));
        this.received = new UnsafeBuffer(BufferUtil.allocateDirectAligned(messageLength, 64));
        this.watch = watch;
    }

    /**
     * Takes a reply, from the subclass's handler: checks its length, copies a pong out whole (as a socket's reader
     * gets it, so ring transports are not credited for bytes they never read) and keeps the sequence it carries,
     * and during a burst reads it as the acknowledgement.
     *
     * @param buffer holding the reply.
     * @param offset where it starts.
     * @param length its length.
     */
    final void reply(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != messageLength)
        {
            throw new IllegalStateException("pong of " + length + " bytes, expected " + messageLength);
        }
        if (inBurst)
        {
            echoed = buffer.getLong(offset);
            acknowledgement.read(buffer, offset);
        }
        else
        {
            buffer.getBytes(offset, received, 0, length);
            echoed = received.getLong(0);
        }
    }

    /**
     * Called once the echo side acknowledged a burst, before it is reported: where a fan-out's pinger awaits the other
     * readers' acknowledgements and checks them against it. Does nothing here.
     *
     * @param lastSequence    the burst's last sequence number.
     * @param acknowledgement the echo side's.
     */
    void afterBurst(final long lastSequence, final Acknowledgement acknowledgement)
    {
    }

    /**
     * @return messages this pinger has sent, bursts included.
     */
    final long sent()
    {
        return sent;
    }
}
