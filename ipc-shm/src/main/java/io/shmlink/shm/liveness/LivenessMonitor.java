package io.shmlink.shm.liveness;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per registry that, every {@code intervalMs}, refreshes the heartbeats of this process's parties
 * and checks whether their peers' processes still live. Liveness checks read {@code /proc}, which is far too slow
 * for the hot path; this thread turns them into a field the hot path reads for free.
 * <p>
 * It is the only thread that notices deaths, so nothing a party's tick throws ends it: any {@link Throwable}, an
 * {@link Error} such as the {@link InternalError} of a fault in a truncated mapping included, is logged as a
 * {@link System.Logger.Level#WARNING} (once per party and exception class, so that a bad segment does not flood
 * the log) and the thread goes on with the other parties and the next ticks.
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
         * Refresh heartbeats and re-check peers. Called from the monitor thread, and once from {@link #add} by its
         * caller. What it throws on the monitor thread is logged and does not stop the monitor; from {@link #add},
         * it reaches the caller.
         */
        void onLivenessTick();
    }

    private static final System.Logger LOGGER = System.getLogger(LivenessMonitor.class.getName());

    private static final Watched[] NONE = new Watched[0];

    /**
     * The parties, copied on every change under {@link #changes}, so that a tick walks one array by index: an
     * iterator would be garbage on every tick, and the monitor thread runs too rarely for the JIT to remove it.
     */
    private volatile Watched[] watched = NONE;
    private final Object changes = new Object();
    private final Map<Object, Set<Class<?>>> reported = new ConcurrentHashMap<>();
    private final long intervalNs;
    /** The monitor thread; replaced if an error escapes it (see {@link #start}). */
    private volatile Thread thread;
    private volatile boolean running = true;

    /**
     * Starts the monitor thread.
     *
     * @param intervalMs period between checks; the bound on how late a peer's death is noticed.
     */
    public LivenessMonitor(final long intervalMs)
    {
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        start();
    }

    /**
     * Starts a monitor thread. An asynchronous error (the fault of a truncated mapping, raised by the JVM at its next
     * check) can land between the catch blocks of {@link #run}; the thread that it ends is replaced, so that deaths
     * are still noticed.
     */
    private void start()
    {
        final Thread thread = new Thread(this::run, "shmlink-liveness");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((ended, failure) ->
        {
            reportOnce(this, failure);
            if (running)
            {
                start();
            }
        });
        this.thread = thread;
        thread.start();
    }

    /**
     * Looks after a party from now on, starting with an immediate check.
     *
     * @param party the publisher or subscriber.
     */
    public void add(final Watched party)
    {
        party.onLivenessTick();
        synchronized (changes)
        {
            final Watched[] before = watched;
            final Watched[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = party;
            watched = after;
        }
    }

    /**
     * Stops looking after a party.
     *
     * @param party the publisher or subscriber.
     */
    public void remove(final Watched party)
    {
        synchronized (changes)
        {
            final Watched[] before = watched;
            final int index = indexOf(before, party);
            if (index >= 0)
            {
                final Watched[] after = Arrays.copyOf(before, before.length - 1);
                System.arraycopy(before, index + 1, after, index, after.length - index);
                watched = after;
            }
        }
        reported.remove(party);
    }

    private static int indexOf(final Watched[] parties, final Object party)
    {
        for (int i = 0; i < parties.length; i++)
        {
            if (parties[i] == party)
            {
                return i;
            }
        }
        return -1;
    }

    private void run()
    {
        while (running)
        {
            try
            {
                tick();
                LockSupport.parkNanos(this, intervalNs);
            }
            catch (final Throwable ex)
            {
                // The JVM raises the InternalError of a fault in compiled code asynchronously: it may surface after
                // the party's tick returned, outside the catch in tick(). It is reported as the monitor's own.
                reportOnce(this, ex);
            }
        }
    }

    private void tick()
    {
        final Watched[] parties = watched;
        for (int i = 0; i < parties.length; i++)
        {
            final Watched party = parties[i];
            try
            {
                party.onLivenessTick();
            }
            catch (final Throwable ex)
            {
                // A party whose segment went bad reports it on its own next call; the monitor carries on.
                reportOnce(party, ex);
            }
        }
    }

    private void reportOnce(final Object party, final Throwable failure)
    {
        try
        {
            if (reported.computeIfAbsent(party, p -> ConcurrentHashMap.newKeySet()).add(failure.getClass()))
            {
                LOGGER.log(System.Logger.Level.WARNING, () -> "liveness check of " + party + " failed with " +
                    failure + "; the liveness thread goes on, and further " + failure.getClass().getName() +
                    " from this party are not logged", failure);
            }
            if (party != this && indexOf(watched, party) < 0)
            {
                reported.remove(party); // removed meanwhile: do not keep it
            }
        }
        catch (final Throwable ex)
        {
            // a logging backend the application installed failed, or memory ran out: the ticks must go on
        }
    }

    /**
     * Names what a failure that no party's check caught is reported against.
     *
     * @return a description for the log.
     */
    @Override
    public String toString()
    {
        return "the liveness thread itself (a fault raised after a party's check returned)";
    }

    /**
     * Stops the thread.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        synchronized (changes)
        {
            watched = NONE;
        }
        reported.clear();
    }
}
