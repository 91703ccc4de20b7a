package io.shmlink.shm.liveness;

import io.shmlink.api.PartyInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Names a process in shared memory so that neither pid reuse nor a PID namespace can make a dead party look alive
 * or a live one dead. Written with a CAS into a party slot, it claims the slot in one atomic step.
 * <ul>
 *   <li>{@link #NONE} (0): the slot was never taken;</li>
 *   <li>{@link #DETACHED}: the party closed in an orderly way;</li>
 *   <li>{@link #DELETED} (subscriber slot only): the channel was deleted; publishers return CLOSED;</li>
 *   <li>anything else: the token of the process that holds the slot, alive or not. It is positive.</li>
 * </ul>
 * A token of a process, most significant bit first:
 * <pre>
 *   63 62                     41 40              32 31                                    0
 *  +--+-------------------------+------------------+---------------------------------------+
 *  |0 |       Pid (22)          | PID Namespace (9)|   Start Time (epoch ms), low 32 bits  |
 *  +--+-------------------------+------------------+---------------------------------------+
 * </pre>
 * <ul>
 *   <li>the pid as the process sees it, in its own PID namespace: 22 bits hold any Linux pid (they are below
 *   {@code PID_MAX_LIMIT}, 2<sup>22</sup>), and the top bit stays 0, so tokens of processes are positive;</li>
 *   <li>the low 9 bits of the inode of that PID namespace ({@code readlink /proc/self/ns/pid} gives
 *   {@code pid:[4026531836]}): containers that share {@code /dev/shm} but not their PID namespace number their
 *   processes apart, so a pid means nothing without its namespace;</li>
 *   <li>the start time, so that a reused pid does not pass for its dead predecessor.</li>
 * </ul>
 * <b>Is it alive?</b> {@link #isAlive(long)} decides in one of two ways.
 * <ul>
 *   <li>A token whose namespace bits are this process's: {@code /proc}, as ever. The process with that pid lives
 *   and started at that time: alive, at the cost of one {@code /proc} read. Otherwise the token is asked about
 *   as a foreign one, below: its process is dead here, or it lives in another namespace whose 9 bits happen to
 *   be ours, and only the lock can tell which.</li>
 *   <li>A token of another namespace: its pid names nobody here, or somebody else, so {@code /proc} cannot
 *   answer. Every process that attaches a party holds an exclusive lock on a file {@code .alive-<token in hex>}
 *   in the registry directory from its first attach there until it exits (see {@link AliveFiles}); the kernel
 *   releases that lock when the process dies, however it dies, and it is the same lock whatever namespace looks
 *   at it.
 *   The token is alive if that file is locked by another process in any registry directory this JVM has open;
 *   if the lock can be taken, or no such file exists, its process is dead (or closed its last registry, and so
 *   holds no slot any more).</li>
 * </ul>
 * Why a lock file. A heartbeat needs a clock and a timeout, and tells a dead process from a paused one (a stopped
 * container, a long GC) only by guessing; a lock is released exactly when its holder dies. It is a file of its own,
 * one per process and directory, because a POSIX lock is dropped when its process closes any descriptor of the
 * file, and channel files are opened and closed all the time; and it is in the registry directory because that is
 * the one place two processes that share a channel surely share, whatever else their containers mount. Both
 * sides must use tokens of this layout: an older version reads another namespace's pid in its own {@code /proc}.
 */
public final class ProcessToken
{
    /** A slot never taken. */
    public static final long NONE = 0;

    /** A slot whose party closed. */
    public static final long DETACHED = -1;

    /** Stored in the subscriber slot by a delete, before the file is unlinked: final. */
    public static final long DELETED = -2;

    /** Bits of the pid: Linux pids are below {@code PID_MAX_LIMIT}, 2<sup>22</sup>. */
    static final int PID_BITS = 22;

    /** Bits of the PID namespace's inode. */
    static final int NAMESPACE_BITS = 9;

    private static final int START_BITS = 32;
    private static final int NAMESPACE_SHIFT = START_BITS;
    private static final int PID_SHIFT = NAMESPACE_SHIFT + NAMESPACE_BITS;
    private static final long PID_MASK = (1L << PID_BITS) - 1;
    private static final long NAMESPACE_MASK = (1L << NAMESPACE_BITS) - 1;
    private static final long START_MASK = (1L << START_BITS) - 1;

    /** The namespace bits of this process's PID namespace; read before {@link #SELF} uses them. */
    private static final long NAMESPACE = namespaceOf(Path.of("/proc/self/ns/pid"));

    /** This process. */
    public static final long SELF = of(ProcessHandle.current());

    /** Bits of a token's index into {@link #VERIFIED}. */
    private static final int VERIFIED_BITS = 8;

    /**
     * Handles of processes of this namespace that {@code /proc} found alive with their tokens' start times, by a
     * hash of the token: see {@link #isAliveInProc}. Read and written by any thread, with volatile semantics;
     * an entry is immutable.
     */
    private static final AtomicReferenceArray<Verified> VERIFIED = new AtomicReferenceArray<>(1 << VERIFIED_BITS);

    /** A token whose process {@code /proc} found alive, and the handle that found it. */
    private static final class Verified
    {
        private final long token;
        private final ProcessHandle handle;

        private Verified(final long token, final ProcessHandle handle)
        {
            this.token = token;
            this.handle = handle;
        }
    }

    private ProcessToken()
    {
    }

    /**
     * The token of a process of this process's PID namespace.
     *
     * @param handle the process.
     * @return its token.
     */
    public static long of(final ProcessHandle handle)
    {
        return of(handle.pid(), NAMESPACE, startStamp(handle));
    }

    /**
     * The token of a process, from its parts: what a process in PID namespace {@code namespace} would have.
     *
     * @param pid       the pid in that namespace.
     * @param namespace the namespace's inode; only its low {@link #NAMESPACE_BITS} bits count.
     * @param startMs   the start time, epoch ms; only its low 32 bits count.
     * @return the token.
     */
    static long of(final long pid, final long namespace, final long startMs)
    {
        return ((pid & PID_MASK) << PID_SHIFT) | ((namespace & NAMESPACE_MASK) << NAMESPACE_SHIFT) |
            (startMs & START_MASK);
    }

    /**
     * The pid a token names, as its own PID namespace numbers it.
     *
     * @param token a token that is neither {@link #NONE} nor {@link #DETACHED}.
     * @return the pid.
     */
    public static long pid(final long token)
    {
        return (token >>> PID_SHIFT) & PID_MASK;
    }

    /**
     * Whether a token's namespace bits are this process's: true for every process of this PID namespace, and for
     * those of one other namespace in 512 (9 bits of an inode), which {@link #isAlive(long)} allows for.
     *
     * @param token a token of a process.
     * @return true if its namespace bits are this process's.
     */
    public static boolean isSameNamespace(final long token)
    {
        return ((token >>> NAMESPACE_SHIFT) & NAMESPACE_MASK) == NAMESPACE;
    }

    /**
     * Whether a token names a party that holds its slot: pids are positive and the top bit is 0, so tokens of
     * processes are positive.
     *
     * @param token read from a slot.
     * @return true if it names a process.
     */
    public static boolean isAttached(final long token)
    {
        return token > 0;
    }

    /**
     * The party a slot names, for descriptions ({@code io.shmlink.shm.segment.PartyView}). Calls
     * {@link #isAlive}, so it is off the hot path too.
     *
     * @param token     read from a slot.
     * @param heartbeat read from the same slot.
     * @return the party, or null if no party is attached there.
     */
    public static PartyInfo partyInfo(final long token, final long heartbeat)
    {
        return isAttached(token) ? new PartyInfo(pid(token), isAlive(token), heartbeat) : null;
    }

    /**
     * Whether the process a token names is still running, in this PID namespace or in another (see the class
     * comment). Reads {@code /proc} for a token of this namespace, and tries a lock file per registry directory
     * this JVM has open for one of another, or of this one that {@code /proc} finds dead, so call it off the hot
     * path. A token whose lock file this JVM cannot tell about (it cannot read it) counts as alive, so that its
     * slot is not taken from a live party.
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
        if (isSameNamespace(token) && isAliveInProc(token))
        {
            return true;
        }
        return AliveFiles.isHeldByAnotherProcess(token);
    }

    /**
     * Whether {@code /proc} shows the process of a token of this namespace alive, with the token's start time.
     * The first look goes through {@link ProcessHandle#info()}, which reads several {@code /proc} files into new
     * strings and arrays (some 2 KB); a handle that passed it is kept in {@link #VERIFIED}, and later looks ask
     * only {@link ProcessHandle#isAlive()}: one native read of {@code /proc/PID/stat} that compares the start
     * time with the one the handle was made with, so a reused pid is dead to it, and allocates nothing. The
     * liveness thread asks about every peer on every tick; this is what keeps those ticks free of garbage.
     */
    private static boolean isAliveInProc(final long token)
    {
        final int index = verifiedIndex(token);
        final Verified verified = VERIFIED.get(index);
        if (verified != null && verified.token == token)
        {
            if (verified.handle.isAlive())
            {
                return true;
            }
            VERIFIED.compareAndSet(index, verified, null);
            return false;
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid(token));
        if (handle.isPresent() && handle.get().isAlive())
        {
            final long startStamp = startStamp(handle.get());
            if ((int)startStamp != (int)token)
            {
                return false;
            }
            if (startStamp != 0)
            {
                // Not kept without a start time: its isAlive() could not tell a reused pid. A slot that two
                // tokens share holds the last one verified; the other is verified again.
                VERIFIED.set(index, new Verified(token, handle.get()));
            }
            return true;
        }
        return false;
    }

    private static int verifiedIndex(final long token)
    {
        return (int)((token * 0x9E37_79B9_7F4A_7C15L) >>> (Long.SIZE - VERIFIED_BITS));
    }

    /**
     * The low {@link #NAMESPACE_BITS} bits of a PID namespace's inode, from its {@code /proc/PID/ns/pid} link.
     *
     * @param link such a link, which reads {@code pid:[INODE]}.
     * @return the bits, or 0 if the link cannot be read (no {@code /proc}): lock files still tell the truth then.
     */
    static long namespaceOf(final Path link)
    {
        try
        {
            final String target = Files.readSymbolicLink(link).toString();
            final int open = target.indexOf('[');
            final int close = target.indexOf(']', open + 1);
            return Long.parseLong(target.substring(open + 1, close)) & NAMESPACE_MASK;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    private static long startStamp(final ProcessHandle handle)
    {
        return handle.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }
}
