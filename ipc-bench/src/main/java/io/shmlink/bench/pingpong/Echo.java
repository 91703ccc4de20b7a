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
     * Throughput mode, instead of {@link #run}: receives messages without answering them, counts them, and answers
     * only a message that asks for an acknowledgement ({@link BurstProtocol}), with the count since the previous
     * one; until {@code control} no longer names this transport. Allocates nothing.
     *
     * @param control the run's control word.
     * @param index   this transport's index in the run.
     * @throws UnsupportedOperationException if the transport has no throughput mode.
     */
    default void sink(final EchoControl control, final int index)
    {
        throw new UnsupportedOperationException(getClass().getName() + " has no throughput mode");
    }

    /**
     * Detaches from the transport.
     */
    @Override
    void close();
}
