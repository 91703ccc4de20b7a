package io.shmlink.shm.liveness;

import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.segment.FileAccess;
import io.shmlink.shm.segment.RegularFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import static io.shmlink.shm.segment.QuietCleanup.closeQuietly;
import static io.shmlink.shm.segment.QuietCleanup.deleteQuietly;

/**
 * The lock files that tell processes of other PID namespaces that this process lives: {@code .alive-<token in
 * hex>} in each registry directory this JVM has a registry open on, created with the mode and group of the
 * registry's other files and exclusively locked ({@code fcntl}, through {@link FileChannel#tryLock()}) for as long
 * as one is open. The kernel releases the lock when the process dies, however it dies, so whoever can take the
 * lock knows its holder is dead. See {@link ProcessToken} for the whole scheme.
 * <ul>
 *   <li><b>Held per directory, counted.</b> Registries on one directory (the same inode, by whatever path)
 *   share one file, kept locked until the process exits: a closed publisher's thread may still be writing a
 *   claim that a subscriber in another namespace holds only while this file says the process lives.</li>
 *   <li><b>Never opened to check.</b> Closing any channel on a file releases every POSIX lock this process has
 *   on it, so this process never opens its own file but to create it: {@link ProcessToken#SELF} is alive by
 *   definition, and cleanup skips files named by it.</li>
 *   <li><b>Created locked.</b> A file is written under a temporary name ({@code .alive-<token>.tmp-<n>}), locked,
 *   then renamed to its name, so nobody ever finds the name unlocked while its process lives. A cleaner that
 *   takes the lock of a temporary file before its creator (and deletes it) makes the creator start again.</li>
 *   <li><b>Checked under one lock.</b> The JVM holds its locks for all its threads, and throws
 *   {@link OverlappingFileLockException} when two of them lock one file, so checks take turns.</li>
 * </ul>
 */
public final class AliveFiles
{
    /** Every alive file's name starts with this. */
    public static final String PREFIX = ".alive-";

    private static final String TEMPORARY_INFIX = ".tmp-";
    private static final int CREATE_ATTEMPTS = 100;
    private static final int PROBE_ATTEMPTS = 3;

    private static final System.Logger LOGGER = System.getLogger(AliveFiles.class.getName());

    /** Guards {@link #HELD} and {@link #temporaryNumber}, and serialises every lock this class takes. */
    private static final Object LOCK = new Object();

    /** This process's files, by the file key (device and inode) of their directory. */
    private static final Map<Object, Held> HELD = new HashMap<>();

    /** Registry directories this JVM has opened, by file key: where other processes' files are looked for. */
    private static final Map<Object, Path> WATCHED = new HashMap<>();

    private static long temporaryNumber;

    private enum Probe
    {
        /** No such file. */
        ABSENT,
        /** Another process holds its lock. */
        HELD,
        /** Nobody holds its lock: its process is dead. This check deleted it. */
        REMOVED,
        /** Nobody holds its lock, and somebody else deleted it, or its name was taken by a newer file. */
        UNHELD,
        /** It cannot be read: whether its holder lives is unknown. */
        UNKNOWN,
        /** It is no alive file at all but a FIFO, a link, ...: whether its holder lives is unknown. */
        NOT_REGULAR
    }

    /** This process's file in one directory. */
    private static final class Held
    {
        private final Path directory;
        private final Path file;
        private final FileChannel channel;
        private int references;

        private Held(final Path directory, final Path file, final FileChannel channel)
        {
            this.directory = directory;
            this.file = file;
            this.channel = channel;
        }
    }

    /**
     * A registry's share of this process's file in its directory: {@link #close()} gives it back.
     */
    public static final class Hold implements AutoCloseable
    {
        private final Object key;
        private boolean closed;

        private Hold(final Object key)
        {
            this.key = key;
        }

        /**
         * Gives the share back. The file stays locked until the process exits (see {@link #release}). Idempotent.
         */
        @Override
        public void close()
        {
            synchronized (LOCK)
            {
                if (closed)
                {
                    return;
                }
                closed = true;
                release(key);
            }
        }
    }

    private AliveFiles()
    {
    }

    /**
     * The alive file of a process in a directory.
     *
     * @param directory the registry directory.
     * @param token     the process's token.
     * @return the path.
     */
    public static Path path(final Path directory, final long token)
    {
        return directory.resolve(PREFIX + Long.toHexString(token));
    }

    /**
     * The token an alive file, or the temporary file one is created under, is named after.
     *
     * @param fileName a file name in the registry directory.
     * @return the token, or 0 (never a live token) if the name is not an alive file's.
     */
    public static long holderToken(final String fileName)
    {
        if (!fileName.startsWith(PREFIX))
        {
            return 0;
        }
        final int dot = fileName.indexOf('.', PREFIX.length());
        final int end = dot < 0 ? fileName.length() : dot;
        if (dot >= 0 && !fileName.startsWith(TEMPORARY_INFIX, dot))
        {
            return 0;
        }
        try
        {
            return Long.parseUnsignedLong(fileName.substring(PREFIX.length(), end), 16);
        }
        catch (final NumberFormatException malformed)
        {
            return 0;
        }
    }

    /**
     * Makes {@link #isHeldByAnotherProcess} look for alive files in a directory: call it when a registry opens.
     *
     * @param directory the registry directory, already checked.
     */
    public static void watch(final Path directory)
    {
        synchronized (LOCK)
        {
            WATCHED.putIfAbsent(keyOf(directory), directory);
        }
    }

    /**
     * Takes a share of this process's alive file in a directory, creating and locking the file if this is the
     * first: call it before this process first writes its token into a channel of the directory (its first
     * publisher or subscriber there), not for processes that only look.
     *
     * @param directory the registry directory, already checked.
     * @param access    the mode and group of the registry's files.
     * @return the share, to close when the registry closes.
     * @throws ShmLinkException if the file cannot be created and locked.
     */
    public static Hold hold(final Path directory, final FileAccess access)
    {
        synchronized (LOCK)
        {
            final Object key = keyOf(directory);
            Held held = HELD.get(key);
            if (held == null)
            {
                held = create(directory, access);
                HELD.put(key, held);
                WATCHED.putIfAbsent(key, directory);
            }
            held.references++;
            return new Hold(key);
        }
    }

    /**
     * Removes an alive file, or the temporary file of one, if nobody holds its lock: its process is dead. Never
     * opens (and so never unlocks) this process's own.
     *
     * @param file an alive file, by {@link #holderToken}.
     * @return true if this call removed it.
     */
    public static boolean removeIfUnheld(final Path file)
    {
        return probeOthers(file, true,
            probe -> probe == Probe.REMOVED || probe == Probe.NOT_REGULAR && removeNotRegular(file));
    }

    /**
     * Whether an alive file is another process's and free, so that {@link #removeIfUnheld} would remove it; removes
     * nothing.
     *
     * @param file a file named {@code .alive-<token>}.
     * @return true if no process holds it.
     */
    public static boolean isUnheld(final Path file)
    {
        return probeOthers(file, false, probe -> probe == Probe.UNHELD || probe == Probe.NOT_REGULAR);
    }

    /**
     * Probes an alive file that is another process's, and judges the outcome, both under the lock; never opens (and
     * so never unlocks) this process's own.
     *
     * @param file    an alive file, by {@link #holderToken}.
     * @param delete  whether the probe deletes the file if it finds it unheld.
     * @param outcome what the outcome means to the caller.
     * @return false for this process's own file and a name without a token, else the judged outcome.
     */
    private static boolean probeOthers(final Path file, final boolean delete, final Predicate<Probe> outcome)
    {
        final long token = holderToken(file.getFileName().toString());
        if (token == 0 || token == ProcessToken.SELF)
        {
            return false;
        }
        synchronized (LOCK)
        {
            return outcome.test(probe(file, delete));
        }
    }

    /**
     * Whether another process holds the alive file of a token in a registry directory this JVM has open. Files
     * found unheld (their process died) are deleted on the way.
     *
     * @param token a token of a process, not {@link ProcessToken#SELF}.
     * @return true if a file is held, or one cannot be read; false if none exists or all are free.
     */
    static boolean isHeldByAnotherProcess(final long token)
    {
        if (token == ProcessToken.SELF)
        {
            return true;
        }
        synchronized (LOCK)
        {
            boolean unknown = false;
            for (final Path directory : WATCHED.values())
            {
                final Probe probe = probe(path(directory, token), true);
                if (probe == Probe.HELD)
                {
                    return true;
                }
                unknown |= probe == Probe.UNKNOWN || probe == Probe.NOT_REGULAR;
            }
            return unknown;
        }
    }

    /**
     * Tries a shared lock on a file that is not this process's, and deletes the file if the lock is free (unless
     * {@code delete} is false: then only says so); the caller holds {@link #LOCK}. The file's key is compared before and after: if its holder deleted it and made a
     * new one meanwhile (it closed its last registry and opened another), the lock this check got is the old
     * file's and says nothing about the new one, which is probed again.
     */
    private static Probe probe(final Path file, final boolean delete)
    {
        for (int attempt = 0; attempt < PROBE_ATTEMPTS; attempt++)
        {
            final Object before = fileKeyOrNull(file);
            if (before == null)
            {
                return Probe.ABSENT;
            }
            // never a plain open for reading: a FIFO under an alive file's name would block every check for ever
            try (FileChannel channel = RegularFiles.open(file))
            {
                final FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
                if (lock == null)
                {
                    return Probe.HELD;
                }
                final Object after = fileKeyOrNull(file);
                if (after == null)
                {
                    return Probe.UNHELD;
                }
                if (before.equals(after) && !delete)
                {
                    return Probe.UNHELD;
                }
                if (before.equals(after))
                {
                    // deleted while locked, so that a process checking at the same time finds it locked or gone
                    return deleteUnheld(file);
                }
                // a newer file took the name: probe that one
            }
            catch (final NoSuchFileException gone)
            {
                return Probe.ABSENT;
            }
            catch (final RegularFiles.NotRegularFileException notAliveFile)
            {
                return Probe.NOT_REGULAR;
            }
            catch (final OverlappingFileLockException ours)
            {
                return Probe.HELD; // this JVM holds a lock on it: it is this process's, which lives
            }
            catch (final IOException ex)
            {
                return Probe.UNKNOWN; // such as a file this process may not write (and so not open): alive
            }
        }
        return Probe.UNKNOWN;
    }

    /**
     * Removes what is under an alive file's name but is no alive file (a FIFO, a link, a socket): debris that
     * someone with write access to the directory put there. Logged, naming it.
     */
    private static boolean removeNotRegular(final Path file)
    {
        try
        {
            final String what = RegularFiles.typeOf(
                ((Number)Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue());
            if (Files.deleteIfExists(file))
            {
                LOGGER.log(System.Logger.Level.WARNING, "removed " + file + ": it was " + what +
                    ", not an alive file (someone with write access to the directory put it there)");
                return true;
            }
            return false;
        }
        catch (final IOException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "cannot remove " + file + ", which is no alive file but a " +
                "FIFO, link or other special file: " + ex);
            return false;
        }
    }

    /**
     * Deletes an alive file whose lock this process holds for the moment: its holder is dead. A file this process
     * may not delete (another user's, in a directory with the sticky bit) is dead all the same: unheld, not
     * unknown, or a dead process of another user would pass for alive for as long as its file stays.
     */
    private static Probe deleteUnheld(final Path file) throws IOException
    {
        try
        {
            return Files.deleteIfExists(file) ? Probe.REMOVED : Probe.UNHELD;
        }
        catch (final FileSystemException notPermitted)
        {
            return Probe.UNHELD; // left for its owner or the directory's owner to remove
        }
    }

    private static Held create(final Path directory, final FileAccess access)
    {
        final Path file = path(directory, ProcessToken.SELF);
        IOException last = null;
        for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++)
        {
            final Path temporary = file.resolveSibling(file.getFileName() + TEMPORARY_INFIX + temporaryNumber++);
            FileChannel channel = null;
            try
            {
                channel = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), FileAccess.creationMode());
                access.applyToOpen(temporary);
                if (channel.tryLock() != null)
                {
                    // rename(2) replaces a file of an earlier share of this very process, whose token it is
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
                    final Held held = new Held(directory, file, channel);
                    channel = null;
                    return held;
                }
                // a cleaner is probing it, and may delete it: start again under another name
            }
            catch (final NoSuchFileException raced)
            {
                // a cleaner deleted the temporary file before the rename: start again
                last = raced;
            }
            catch (final IOException ex)
            {
                closeQuietly(channel);
                deleteQuietly(temporary);
                throw new ShmLinkException("cannot create the alive file " + file + ": " + ex, ex);
            }
            catch (final RuntimeException ex)
            {
                closeQuietly(channel);
                deleteQuietly(temporary);
                throw ex; // such as no Unix group to share the file with
            }
            closeQuietly(channel);
            deleteQuietly(temporary);
        }
        throw new ShmLinkException("cannot create the alive file " + file + ": its temporary file was removed " +
            CREATE_ATTEMPTS + " times", last);
    }

    private static void release(final Object key)
    {
        final Held held = HELD.get(key);
        if (held != null && held.references > 0)
        {
            // Kept, locked, for as long as the process lives, even with no registry open: a thread of a publisher
            // closed with its registry may still be writing a claim, and a subscriber in another namespace holds
            // that claim only while this file says the process lives. The kernel drops the lock at exit; whoever
            // takes it then removes the file (cleanStale, or opening a registry here).
            --held.references;
        }
    }

    private static Object keyOf(final Path directory)
    {
        final Object key = fileKeyOrNull(directory);
        return key == null ? directory.toAbsolutePath().normalize() : key;
    }

    private static Object fileKeyOrNull(final Path file)
    {
        try
        {
            return Objects.requireNonNullElse(
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey(),
                file.toAbsolutePath());
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
