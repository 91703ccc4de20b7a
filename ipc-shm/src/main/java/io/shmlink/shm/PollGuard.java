package io.shmlink.shm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Marks a subscriber's poll in progress so that a close from another thread can wait for it, without a locked
 * instruction on the poll path. Entry and exit are called by the polling thread; {@link #closeFromPoller} and
 * {@link #awaitNoPoll} by any thread.
 * <p>
 * This is a Dekker handshake whose heavy half is on the closing side (docs/DESIGN.md, "Closing a subscriber"). The
 * poller stores {@code POLLING} without a fence and then reads {@link #isClosed}; the closer sets the closed flag
 * with a full fence and then brings the polling thread to a safepoint ({@link Thread#getStackTrace}). Whatever
 * that thread stored before the safepoint, the closer then sees; whatever it reads after, sees the flag. A poll
 * that began before the safepoint is thus seen in progress and waited for, and one that begins after it returns
 * at once. The polling thread itself is tracked with a CAS, paid only when a new thread polls.
 */
final class PollGuard
{
    private static final int IDLE = 0;
    private static final int POLLING = 1;
    /** The poll's own handler closed the subscriber and the poll released the slot as it returned. */
    private static final int RELEASED_BY_POLLER = 2;

    /** How long a close from another thread sleeps between looks at a poll in progress. */
    private static final long CLOSE_WAIT_NANOS = 100_000;

    private static final VarHandle STATE;
    private static final VarHandle OWNER;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(PollGuard.class, "state", int.class);
            OWNER = lookup.findVarHandle(PollGuard.class, "owner", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String channelName;

    /**
     * {@link #IDLE}, {@link #POLLING} or {@link #RELEASED_BY_POLLER}. Written by the owner thread only: opaque on
     * entry (made visible to a closer by the safepoint), release on exit (the poll's ring writes come first).
     */
    @SuppressWarnings("unused") // accessed through STATE
    private int state;

    /** The thread that polls: replaced by CAS, so a new poller and a closer cannot both miss each other. */
    @SuppressWarnings("unused") // accessed through OWNER
    private volatile Thread owner;

    /** Set by a close with a full fence; read by every poll entry. */
    private volatile boolean closed;

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
     * @throws IllegalStateException if the handler polls again, or (when it can be seen) two threads poll at once.
     */
    boolean enter()
    {
        final Thread current = Thread.currentThread();
        if (owner != current)
        {
            takeOwnership(current);
        }
        final int state = (int)STATE.getOpaque(this);
        if (state != IDLE)
        {
            if (state == RELEASED_BY_POLLER)
            {
                return false;
            }
            throw twoPollers();
        }
        STATE.setOpaque(this, POLLING);
        if (closed)
        {
            STATE.setRelease(this, IDLE);
            return false;
        }
        return true;
    }

    /**
     * Ends the poll in progress.
     *
     * @return true if its handler closed the subscriber: the caller releases the slot now.
     */
    boolean exit()
    {
        if (closeRequestedByPoller)
        {
            STATE.setRelease(this, RELEASED_BY_POLLER);
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
        if (owner == Thread.currentThread() && (int)STATE.getOpaque(this) == POLLING)
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
        final Thread poller = owner; // a volatile read after markClosed's volatile store: the Dekker pair to the CAS
        // in takeOwnership, so a thread that starts polling now either is seen here or sees the flag
        if (poller == null || poller == Thread.currentThread())
        {
            return (int)STATE.getAcquire(this) != RELEASED_BY_POLLER;
        }
        bringToSafepoint(poller);
        int waits = 0;
        while (true)
        {
            final int state = (int)STATE.getAcquire(this);
            if (state != POLLING)
            {
                return state == IDLE;
            }
            if (++waits % 100 == 0 && giveUp.getAsBoolean())
            {
                return true;
            }
            LockSupport.parkNanos(CLOSE_WAIT_NANOS);
        }
    }

    /**
     * The closer's half of the fence. A thread that ended has its stores visible to whoever sees it ended (JLS
     * 17.4.4). A live one is stopped at a safepoint (or, in a later JDK, a handshake) while its stack is read: the
     * JVM needs its stores up to that point to be in memory, and it reads memory afresh after.
     */
    private static void bringToSafepoint(final Thread poller)
    {
        if (poller.isAlive())
        {
            poller.getStackTrace();
        }
    }

    private void takeOwnership(final Thread current)
    {
        final Thread previous = owner;
        // The previous poller's state is read racily: a poll still in progress there is found only if its entry is
        // visible by now, which it is unless the two entries are nanoseconds apart.
        if ((previous != null && (int)STATE.getVolatile(this) == POLLING) ||
            !OWNER.compareAndSet(this, previous, current))
        {
            throw twoPollers();
        }
    }

    private IllegalStateException twoPollers()
    {
        return new IllegalStateException("subscriber of channel '" + channelName + "' polled by two threads at" +
            " once, or from its own handler: a Subscriber is polled by one thread at a time");
    }
}
