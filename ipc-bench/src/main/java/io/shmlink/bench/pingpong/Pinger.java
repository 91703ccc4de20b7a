package io.shmlink.bench.pingpong;

/**
 * The measuring side of one transport, in the parent JVM. Used by one thread.
 */
public interface Pinger extends AutoCloseable
{
    /**
     * Sends one ping carrying {@code sequence} and waits (busy-spinning, or blocked in a system call for the socket
     * transports) until its echo arrives. Allocates nothing.
     *
     * @param sequence the number to send; the echo must carry it back.
     * @return the sequence number the echo carried (the caller checks it).
     * @throws IllegalStateException if the transport refuses the ping or the echo is malformed, or (through the
     *                               {@link PeerWatch}) if the echo side died.
     */
    long roundTrip(long sequence);

    /**
     * Throughput mode: sends {@code count} messages as fast as the transport takes them (waiting out back-pressure),
     * each holding fresh data ({@link Payload}) produced as {@code mode} says, the last one asking for an
     * acknowledgement ({@link BurstProtocol}), then waits for that acknowledgement. The echo side runs
     * {@link Echo#sink} meanwhile. Allocates nothing.
     *
     * @param firstSequence the sequence of the first message; later ones follow on.
     * @param count         how many messages, at least 1.
     * @param mode          how each message is produced; {@link SendMode#CLAIM} only if the transport
     *                      {@link ThroughputModes#claim() can}.
     * @return the sink's acknowledgement: its count is {@code count} and its checksum
     * {@link Payload#expectedBurst} unless a message or a byte was lost, skipped or duplicated (the caller checks
     * them). The instance is reused by the next call.
     * @throws UnsupportedOperationException if the transport has no throughput mode ({@link
     *                                       Transport#throughputModes()}) or cannot claim.
     * @throws IllegalStateException         as {@link #roundTrip}.
     */
    default Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
    {
        throw new UnsupportedOperationException(getClass().getName() + " has no throughput mode");
    }

    /**
     * Called when the run has asked the echo child to serve another transport ({@link EchoControl#request}) and
     * before it waits for the switch. An echo that spins sees the control word by itself, so the default does
     * nothing; an echo blocked in a socket read does not, and its pinger wakes it here.
     */
    default void release()
    {
    }

    /**
     * Detaches from the transport.
     */
    @Override
    void close();
}
