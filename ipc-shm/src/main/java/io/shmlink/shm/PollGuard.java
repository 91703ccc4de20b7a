package io.shmlink.shm;

import io.shmlink.shm.ring.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Marks a subscriber's poll in progress so that a close from another thread can wait for it, and refuses a second
 * poll at once. {@link #enter} and {@link #exit} are called by the polling thread; the rest by any thread.
 * <p>
 * A poll enters by a CAS on a state word and leaves by a release store; a close from another thread sets the
 * closed flag and then takes the word from idle to closed by CAS, so that either the close sees the poll and waits
 * for it, or the poll sees the close and returns at once (docs/DESIGN.md, "Closing a subscriber while it polls",
 * which also says why the fence stays on the poll's side).
 */
final class PollGuard
{
    private static final int IDLE = 0;
    private static final int POLLING = 1;
    /** Closed: no poll enters any more, and the slot is (being) released by whoever set it. */
    private static final int CLOSED = 2;

    /** How long a close from another thread sleeps between looks at a poll in progress. */
    private static final long CLOSE_WAIT_NANOS = 100_000;

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);

    private final String channelName;

    /** {@link #IDLE}, {@link #POLLING} or {@link #CLOSED}: CAS to enter and to close, release store to leave. */
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** Set by a close before it waits; read by a poll after it entered, and by the blocking poll's loop. */
    private volatile boolean closed;

    /**
     * The thread inside a poll, or null: written by that thread only, and read by {@link #closeFromPoller} only to
     * ask whether the calling thread is that thread, which its own writes answer. Plain: a poll pays no fence for it.
     */
    private Thread poller;

    /** Set by a close from the polling thread's own handler: the poll releases the slot as it returns. */
    private boolean closeRequestedByPoller;

    PollGuard(final String channelName)
    {
        this.channelName = channelName;
    }

    /**
     * Marks a poll in progress on the calling thread.
     *
     * @return false if the subscriber is closed: the poll returns 0 without touching the ring.
     * @throws IllegalStateException if a poll is already in progress (a second thread, or the handler itself).
     */
    boolean enter()
    {
        if (!STATE.compareAndSet(this, IDLE, POLLING))
        {
            if ((int)STATE.getVolatile(this) == CLOSED)
            {
                return false;
            }
            throw new IllegalStateException("subscriber of channel '" + channelName + "' polled by two threads" +
                " at once, or from its own handler: a Subscriber is polled by one thread at a time");
        }
        if (closed)
        {
            STATE.setRelease(this, IDLE);
            return false;
        }
        poller = Thread.currentThread();
        return true;
    }

    /**
     * Ends the poll in progress.
     *
     * @return true if its handler closed the subscriber: the caller releases the slot now.
     */
    boolean exit()
    {
        poller = null;
        if (closeRequestedByPoller)
        {
            STATE.setVolatile(this, CLOSED);
            return true;
        }
        STATE.setRelease(this, IDLE);
        return false;
    }

    /**
     * Whether this subscriber is closed, or being closed.
     *
     * @return true once a close began.
     */
    boolean isClosed()
    {
        return closed;
    }

    /**
     * Closes from the polling thread's own handler, if that is where the caller is: the poll releases the slot as
     * it returns, and delivers the rest of the batch in hand first.
     *
     * @return true if the caller is that handler and nothing more is to be done now.
     */
    boolean closeFromPoller()
    {
        if (poller == Thread.currentThread())
        {
            closed = true;
            closeRequestedByPoller = true;
            return true;
        }
        return false;
    }

    /**
     * Marks the subscriber closed: a poll that has not yet entered returns 0 from now on. Call {@link #awaitNoPoll}
     * after it before releasing the slot.
     */
    void markClosed()
    {
        closed = true;
    }

    /**
     * Waits, after {@link #markClosed}, until no poll is in progress: a poll already in progress is waited for, a
     * slow handler included; a poll that begins after this returns 0 at once.
     *
     * @param giveUp asked every few waits whether a poll still marked in progress can be given up on.
     * @return true if the caller releases the slot; false if the poll's own handler closed it and its poll released
     * the slot as it returned.
     */
    boolean awaitNoPoll(final BooleanSupplier giveUp)
    {
        int waits = 0;
        while (!STATE.compareAndSet(this, IDLE, CLOSED))
        {
            if ((int)STATE.getVolatile(this) == CLOSED)
            {
                return false;
            }
            if (++waits % 100 == 0 && giveUp.getAsBoolean())
            {
                return true;
            }
            LockSupport.parkNanos(CLOSE_WAIT_NANOS);
        }
        return true;
    }
}
