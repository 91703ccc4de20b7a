package io.shmlink.shm.liveness;

import java.util.Optional;

/**
 * Names a process in shared memory so that pid reuse cannot make a dead party look alive: a 64-bit token that
 * holds the pid in its high half and the low 32 bits of the process start time (epoch ms) in its low half.
 * Written with a CAS into a party slot, it claims the slot in one atomic step.
 * <ul>
 *   <li>{@link #NONE} (0): the slot was never taken;</li>
 *   <li>{@link #DETACHED}: the party closed in an orderly way;</li>
 *   <li>{@link #DELETED} (subscriber slot only): the channel was deleted; publishers return CLOSED;</li>
 *   <li>anything else: the token of the process that holds the slot, alive or not.</li>
 * </ul>
 */
public final class ProcessToken
{
    /** A slot never taken. */
    public static final long NONE = 0;

    /** A slot whose party closed. */
    public static final long DETACHED = -1;

    /** Stored in the subscriber slot by a delete, before the file is unlinked: final. */
    public static final long DELETED = -2;

    /** This process. */
    public static final long SELF = of(ProcessHandle.current());

    private ProcessToken()
    {
    }

    /**
     * The token of a process.
     *
     * @param handle the process.
     * @return its token.
     */
    public static long of(final ProcessHandle handle)
    {
        return (handle.pid() << 32) | (startStamp(handle) & 0xFFFF_FFFFL);
    }

    /**
     * The pid a token names.
     *
     * @param token a token that is neither {@link #NONE} nor {@link #DETACHED}.
     * @return the pid.
     */
    public static long pid(final long token)
    {
        return token >>> 32;
    }

    /**
     * Whether a token names a party that holds its slot: pids are positive, so tokens of processes are too.
     *
     * @param token read from a slot.
     * @return true if it names a process.
     */
    public static boolean isAttached(final long token)
    {
        return token > 0;
    }

    /**
     * Whether the process a token names is still running: same pid and same start time. Reads {@code /proc}, so
     * call it off the hot path.
     *
     * @param token read from a slot.
     * @return true if that very process lives.
     */
    public static boolean isAlive(final long token)
    {
        if (!isAttached(token))
        {
            return false;
        }
        if (token == SELF)
        {
            return true;
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid(token));
        return handle.isPresent() && handle.get().isAlive() && (int)startStamp(handle.get()) == (int)token;
    }

    private static long startStamp(final ProcessHandle handle)
    {
        return handle.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }
}
