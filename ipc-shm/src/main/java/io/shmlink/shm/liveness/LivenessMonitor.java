package io.shmlink.shm.liveness;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per registry that, every {@code intervalMs}, refreshes the heartbeats of this process's parties
 * and checks whether their peers' processes still live. Liveness checks read {@code /proc}, which is far too slow
 * for the hot path; this thread turns them into a field the hot path reads for free.
 */
public final class LivenessMonitor implements AutoCloseable
{
    /**
     * A party this monitor looks after.
     */
    @FunctionalInterface
    public interface Watched
    {
        /**
         * Refresh heartbeats and re-check peers. Called from the monitor thread.
         */
        void onLivenessTick();
    }

    private final CopyOnWriteArrayList<Watched> watched = new CopyOnWriteArrayList<>();
    private final long intervalNs;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts the monitor thread.
     *
     * @param intervalMs period between checks; the bound on how late a peer's death is noticed.
     */
    public LivenessMonitor(final long intervalMs)
    {
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.thread = new Thread(this::run, "shmlink-liveness");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Looks after a party from now on, starting with an immediate check.
     *
     * @param party the publisher or subscriber.
     */
    public void add(final Watched party)
    {
        party.onLivenessTick();
        watched.add(party);
    }

    /**
     * Stops looking after a party.
     *
     * @param party the publisher or subscriber.
     */
    public void remove(final Watched party)
    {
        watched.remove(party);
    }

    private void run()
    {
        while (running)
        {
            for (final Watched party : watched)
            {
                try
                {
                    party.onLivenessTick();
                }
                catch (final RuntimeException ex)
                {
                    // A party whose segment went bad reports it on its own next call; the monitor carries on.
                }
            }
            LockSupport.parkNanos(this, intervalNs);
        }
    }

    /**
     * Stops the thread.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        watched.clear();
    }
}
