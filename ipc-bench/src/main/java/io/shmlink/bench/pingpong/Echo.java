package io.shmlink.bench.pingpong;

/**
 * The echoing side of one transport, in the child JVM.
 */
public interface Echo extends AutoCloseable
{
    /**
     * Sends every ping straight back, busy-spinning, until {@code control} no longer names this transport. Checks
     * the control word only when no ping is waiting, so the check costs nothing while a ping is in flight.
     * Allocates nothing.
     *
     * @param control the run's control word.
     * @param index   this transport's index in the run.
     */
    void run(EchoControl control, int index);

    /**
     * Detaches from the transport.
     */
    @Override
    void close();
}
