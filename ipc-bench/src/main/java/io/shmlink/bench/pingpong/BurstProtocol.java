package io.shmlink.bench.pingpong;

/**
 * How a throughput burst marks its end ({@link Pinger#sendBurst}, {@link Echo#sink}): every message carries its
 * sequence number (always positive) in its first 8 bytes, except the last of a burst, which carries the bitwise
 * complement of its sequence, a negative number, to ask for an acknowledgement. The sink answers it with one
 * message of the same length whose first 8 bytes hold the number of messages it received since its previous
 * acknowledgement, this one included; the sender checks that number against what it sent, so a lost or doubled
 * message fails the run.
 * <p>
 * Marking the message in-band costs the sink one load of bytes it has to touch anyway, and no extra message; the
 * sender never has more than one burst in flight, so the marked message is always the last the sink sees.
 */
final class BurstProtocol
{
    private BurstProtocol()
    {
    }

    /**
     * @param sequence a message's sequence number, positive.
     * @param last     whether it ends its burst.
     * @return what the message carries in its first 8 bytes.
     */
    static long encode(final long sequence, final boolean last)
    {
        return last ? ~sequence : sequence;
    }

    /**
     * @param value the first 8 bytes of a received message.
     * @return whether the sender waits for an acknowledgement of it.
     */
    static boolean asksForAcknowledgement(final long value)
    {
        return value < 0;
    }
}
