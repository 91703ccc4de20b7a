package io.shmlink.bench.pingpong;

/**
 * The measuring side of one transport, in the parent JVM. Used by one thread.
 */
public interface Pinger extends AutoCloseable
{
    /**
     * Sends one ping carrying {@code sequence} and busy-spins until its echo arrives. Allocates nothing.
     *
     * @param sequence the number to send; the echo must carry it back.
     * @return the sequence number the echo carried (the caller checks it).
     * @throws IllegalStateException if the transport refuses the ping or the echo is malformed, or (through the
     *                               {@link PeerWatch}) if the echo side died.
     */
    long roundTrip(long sequence);

    /**
     * Detaches from the transport.
     */
    @Override
    void close();
}
