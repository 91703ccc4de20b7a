package io.shmlink.bench.pingpong;

/**
 * The echoing side of one transport, in the child JVM.
 */
public interface Echo extends AutoCloseable
{
    /**
     * Sends every ping straight back until {@code control} no longer names this transport. A spinning echo checks
     * the control word only when no ping is waiting, so the check costs nothing while a ping is in flight; an echo
     * that blocks in a system call checks it when its pinger's {@link Pinger#release()} wakes it. Allocates nothing.
     *
     * @param control the run's control word.
     * @param index   this transport's index in the run.
     */
    void run(EchoControl control, int index);

    /**
     * Throughput mode, instead of {@link #run}: receives messages without answering them, reads every byte of each
     * as {@code mode} says and counts it ({@link BurstSink}), and answers only a message that asks for an
     * acknowledgement ({@link BurstProtocol}) with the {@link Acknowledgement}; until {@code control} no longer
     * names {@code index}. Allocates nothing.
     *
     * @param control the run's control word.
     * @param index   the value of the control word that means "this transport, this mode".
     * @param mode    how to read each message; a transport that offers only one ({@link ThroughputModes#sinks()})
     *                is only asked for that one.
     * @throws UnsupportedOperationException if the transport has no throughput mode.
     */
    default void sink(final EchoControl control, final int index, final SinkMode mode)
    {
        throw new UnsupportedOperationException(getClass().getName() + " has no throughput mode");
    }

    /**
     * Detaches from the transport.
     */
    @Override
    void close();
}
