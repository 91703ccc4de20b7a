package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelExistsException;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.ChannelRegistry;
import io.shmlink.api.IncompatibleChannelException;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.LivenessMonitor;
import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.liveness.SubscriberSlots;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.registry.ChannelNames;
import io.shmlink.shm.registry.RegistryDirectory;
import io.shmlink.shm.registry.RemovalRights;
import io.shmlink.shm.registry.StaleChannels;
import io.shmlink.shm.ring.DeadClaims;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.DirectoryPages;
import io.shmlink.shm.segment.FileAccess;
import io.shmlink.shm.wait.ReaderWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channel registry over a directory of shared-memory files, by default {@code /dev/shm/shmlink-$USER}.
 * <p>
 * Each channel is one file named after it; see {@link io.shmlink.shm.segment.SegmentDescriptor} for its layout and
 * {@link ChannelSegment} for how creation is made atomic. The registry is thread-safe. It runs one daemon thread,
 * started with the first publisher or subscriber, that keeps heartbeats fresh and notices dead peers.
 * <p>
 * From its first publisher or subscriber in a directory until it exits, this process holds a lock on a file
 * {@code .alive-<process token>} there (one per directory, however many registries are open on it), so that
 * processes in other PID namespaces can tell it lives; see {@link io.shmlink.shm.liveness.ProcessToken}.
 */
public final class ShmRegistry implements ChannelRegistry
{
    /**
     * Settings of a registry. Defaults: claim timeout 1 s, liveness interval 100 ms, files 0600 in a 0700
     * directory, which must be an absolute path, on tmpfs or hugetlbfs, whose parent exists.
     */
    public static final class Options
    {
        private Duration claimTimeout = Duration.ofSeconds(1);
        private long livenessIntervalMs = 100;
        private Duration staleGrace = Duration.ofSeconds(10);
        private Duration unattachedGrace = Duration.ofHours(1);
        private boolean cleanDebrisOnOpen = true;
        private FileAccess access = FileAccess.OWNER_ONLY;
        private ReaderWait readerWait = ReaderWait.blocking();
        private boolean allowRelativePath;
        private boolean createParentDirectories;
        private boolean allowNotMemoryBacked;

        /**
         * Whether a relative directory is accepted, resolved against the working directory. Refused by default:
         * two processes started from different directories would not meet, and a mistyped {@code SHMLINK_DIR}
         * would go unnoticed.
         *
         * @param allow true to accept a relative path.
         * @return this.
         */
        public Options allowRelativePath(final boolean allow)
        {
            this.allowRelativePath = allow;
            return this;
        }

        /**
         * Whether the registry directory's missing parents are created (each with the registry directory's mode and
         * group, 0700 or 0770, whatever the umask). By default only the
         * directory itself is created, and a path whose parent does not exist is refused, as a mistyped path
         * usually is.
         *
         * @param create true to create missing parents.
         * @return this.
         */
        public Options createParentDirectories(final boolean create)
        {
            this.createParentDirectories = create;
            return this;
        }

        /**
         * Whether a directory on a file system that is not memory-backed (anything but tmpfs and hugetlbfs) is
         * accepted. Refused by default: a channel file on disk is a file-backed mapping the kernel writes back to
         * disk, slower than shared memory and not what a channel is meant to be.
         *
         * @param allow true to accept such a directory.
         * @return this.
         */
        public Options allowNotMemoryBacked(final boolean allow)
        {
            this.allowNotMemoryBacked = allow;
            return this;
        }

        /**
         * How subscribers wait in a blocking poll; each subscriber may change its own.
         *
         * @param wait default {@link ReaderWait#blocking()}: spin up to 100 us, then sleep on a doorbell.
         * @return this.
         */
        public Options readerWait(final ReaderWait wait)
        {
            this.readerWait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /**
         * How long a subscriber waits at a claimed, uncommitted record whose publisher still lives before it
         * skips the record and counts it as lost. A claim by a publisher that closed or died is skipped as soon as
         * it is seen twice (once the liveness check, within about 100 ms, has noticed the death). A skip costs the
         * claimer its message but never corrupts the channel: an MPSC skip holds the space until the claimer lets
         * go or dies (see {@code docs/DESIGN.md}), so a publisher that wakes from a longer pause writes only into
         * its own record; while it is held, publishers can use the rest of the ring.
         *
         * @param timeout the longest a live publisher may take between claim and commit before its message is lost.
         * @return this.
         */
        public Options claimTimeout(final Duration timeout)
        {
            this.claimTimeout = notNegative("claimTimeout", timeout);
            return this;
        }

        /**
         * Period of the liveness thread: heartbeats and the bound on how late a dead peer is noticed.
         *
         * @param intervalMs milliseconds, at least 1.
         * @return this.
         */
        public Options livenessIntervalMs(final long intervalMs)
        {
            if (intervalMs < 1)
            {
                throw new IllegalArgumentException("livenessIntervalMs must be >= 1: " + intervalMs);
            }
            this.livenessIntervalMs = intervalMs;
            return this;
        }

        /**
         * How long a channel with no live party must have been idle before {@link #cleanStale()} removes it (its
         * creator dead too). A channel nobody ever attached to has {@link #unattachedGrace(Duration)} instead.
         *
         * @param grace the idle time.
         * @return this.
         */
        public Options staleGrace(final Duration grace)
        {
            this.staleGrace = grace;
            return this;
        }

        /**
         * How old a channel that no publisher or subscriber ever attached to must be, its creator dead, before
         * {@link #cleanStale()} removes it: such a channel was usually made ahead of its users (by
         * {@code shmlink create}, or a deployment step), not left behind by them.
         *
         * @param grace the age, default 1 hour.
         * @return this.
         */
        public Options unattachedGrace(final Duration grace)
        {
            this.unattachedGrace = notNegative("unattachedGrace", grace);
            return this;
        }

        private static Duration notNegative(final String option, final Duration value)
        {
            if (value.isNegative())
            {
                throw new IllegalArgumentException(option + " must not be negative: " + value);
            }
            return value;
        }

        /**
         * Shares the registry with a Unix group: the directory is created 0770 and files 0660 (doorbell sockets
         * included), all with that group, so processes of other users in the group can attach. The default is owner
         * only (0700 / 0600).
         * <p>
         * An existing directory must be of that group, mode 0770 (the setgid bit, and the sticky bit, allowed) and
         * give others nothing; one owned by another user is then accepted too when this process is in the group
         * (as its effective group or a supplementary one). Anything else is refused with a
         * {@link ShmLinkException} naming the path, its owner, group and mode, and the reason. Any member can
         * remove what a dead member left ({@link #cleanStale()}) unless the directory has the sticky bit: then
         * only a file's owner and the directory's owner can remove it, and cleanup leaves other users' files be.
         *
         * @param groupName a group the owner belongs to.
         * @return this.
         */
        public Options shareWithGroup(final String groupName)
        {
            this.access = FileAccess.sharedWithGroup(groupName);
            return this;
        }

        /**
         * Whether opening the registry removes the temporary files of creations whose process died (default
         * true). Channels are only removed by {@link #cleanStale()}.
         *
         * @param clean true to clean on open.
         * @return this.
         */
        public Options cleanDebrisOnOpen(final boolean clean)
        {
            this.cleanDebrisOnOpen = clean;
            return this;
        }
    }

    private final Path directory;
    private final Options options;
    private AliveFiles.Hold alive;
    private final Set<Party> parties = ConcurrentHashMap.newKeySet();
    private LivenessMonitor monitor;
    private boolean closed;

    private ShmRegistry(final Path directory, final Options options)
    {
        this.directory = directory;
        this.options = options;
    }

    /**
     * Checks the registry is open and holds this process's alive file in its directory, which must be locked
     * before this process's token appears in any channel there: other PID namespaces take the token for alive
     * only while the file is held (see {@link io.shmlink.shm.liveness.ProcessToken}). Kept until the process exits, once made.
     */
    private synchronized void ensureAttachable()
    {
        ensureOpen();
        if (alive == null)
        {
            alive = AliveFiles.hold(directory, options.access);
        }
    }

    /**
     * Opens a registry on a directory, creating it with mode 0700 if absent and its parent exists.
     *
     * @param directory the registry directory, an absolute path on tmpfs or hugetlbfs (such as under
     *                  {@code /dev/shm}).
     * @return the registry.
     * @throws ShmLinkException naming the path and the reason if the directory is relative, its parent does not
     *                          exist, it is on a file system that is not memory-backed (each allowed by an
     *                          {@link Options} setting), it is a symbolic link, writable by others, or owned by
     *                          another user (see {@link Options#shareWithGroup(String)} for sharing); or if the
     *                          JVM lacks the flag Agrona needs (the message names it).
     */
    public static ShmRegistry open(final Path directory)
    {
        return open(directory, new Options());
    }

    /**
     * Opens a registry with settings.
     *
     * @param directory the registry directory.
     * @param options   settings.
     * @return the registry.
     * @throws ShmLinkException if the directory is refused (see {@link #open(Path)}), or if the JVM lacks the flag
     *                          that lets Agrona reach {@code jdk.internal.misc.Unsafe} (the message names it).
     */
    public static ShmRegistry open(final Path directory, final Options options)
    {
        JvmFlags.verify();
        final Path dir = RegistryDirectory.prepare(directory, options.access, new RegistryDirectory.Placement(
            options.allowRelativePath, options.createParentDirectories, options.allowNotMemoryBacked));
        // before cleaning, which asks about other processes' tokens: this directory's alive files answer for
        // processes of other PID namespaces. This process's own is made at its first attach (see attachable)
        AliveFiles.watch(dir);
        if (options.cleanDebrisOnOpen)
        {
            StaleChannels.cleanDebris(dir);
        }
        return new ShmRegistry(dir, options);
    }

    /**
     * Opens the registry named by {@code $SHMLINK_DIR}, else {@code /dev/shm/shmlink-$USER} (created if absent).
     * A {@code $SHMLINK_DIR} is held to the rules of {@link #open(Path)}.
     *
     * @return the registry.
     * @throws ShmLinkException if the directory is refused (see {@link #open(Path)}).
     */
    public static ShmRegistry openDefault()
    {
        return open(defaultDirectory());
    }

    /**
     * The directory {@link #openDefault()} uses.
     *
     * @return {@code $SHMLINK_DIR}, else {@code /dev/shm/shmlink-$USER}.
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getenv("SHMLINK_DIR");
        if (configured != null && !configured.isEmpty())
        {
            return Path.of(configured);
        }
        return Path.of("/dev/shm", "shmlink-" + System.getProperty("user.name"));
    }

    /**
     * The directory holding this registry's channel files.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return who may use this registry's files: their mode and group.
     */
    FileAccess access()
    {
        return options.access;
    }

    /**
     * The pages this registry's segments are sized to and mapped with: the filesystem's, huge pages on hugetlbfs
     * or on a tmpfs mounted {@code huge=always} (see {@link DirectoryPages}).
     *
     * @return the directory's page size and filesystem.
     */
    public DirectoryPages pages()
    {
        return DirectoryPages.of(directory);
    }

    /**
     * {@inheritDoc} A fan-out channel (SPMC, MPMC) gets the default slow-subscriber timeout, 5 s.
     */
    @Override
    public ChannelInfo create(final String name, final ChannelConfig config)
    {
        return ChannelSegment.create(file(name), name, config, options.access);
    }

    /**
     * Creates a fan-out channel whose live subscribers are evicted once they have held publishers back for longer
     * than {@code slowSubscriberTimeout}; {@link Duration#ZERO} for never (a stopped subscriber then stops the
     * publishers until it dies). For SPSC and MPSC the timeout means nothing: a queue's subscriber is never evicted.
     *
     * @param name                  the channel's name.
     * @param config                its shape.
     * @param slowSubscriberTimeout stored in the segment; whole milliseconds, not negative.
     * @return its description.
     * @throws io.shmlink.api.ChannelExistsException if it exists.
     */
    public ChannelInfo create(final String name, final ChannelConfig config, final Duration slowSubscriberTimeout)
    {
        return ChannelSegment.create(file(name), name, config, options.access, slowSubscriberTimeout.toMillis());
    }

    @Override
    public ChannelInfo openOrCreate(final String name, final ChannelConfig config)
    {
        final Path file = file(name);
        // Each pass either returns or saw the file appear (create lost a race) or vanish (a concurrent delete);
        // the bound only stops a pathological create/delete storm from looping forever.
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            try
            {
                final ChannelInfo existing = ChannelSegment.describe(file, name, ProcessToken::partyInfo);
                if (!existing.config().equals(config))
                {
                    throw new IncompatibleChannelException("channel '" + name + "' (" + file + ") exists as " +
                        existing.config() + ", not " + config);
                }
                return existing;
            }
            catch (final ChannelNotFoundException notFound)
            {
                try
                {
                    return ChannelSegment.create(file, name, config, options.access);
                }
                catch (final ChannelExistsException lostRace)
                {
                    // another process created it first: describe theirs
                }
            }
        }
        throw new ShmLinkException("channel '" + name + "' (" + file + ") kept appearing and vanishing");
    }

    @Override
    public Optional<ChannelInfo> lookup(final String name)
    {
        try
        {
            return Optional.of(ChannelSegment.describe(file(name), name, ProcessToken::partyInfo));
        }
        catch (final ChannelNotFoundException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * {@inheritDoc} Files that are not valid channels, or that this process cannot read, are left out; {@link
     * #lookup} reports why.
     */
    @Override
    public List<ChannelInfo> list()
    {
        final List<ChannelInfo> channels = new ArrayList<>();
        for (final String name : RegistryDirectory.channelNames(directory))
        {
            try
            {
                channels.add(ChannelSegment.describe(directory.resolve(name), name, ProcessToken::partyInfo));
            }
            catch (final ShmLinkException ex)
            {
                // deleted meanwhile, not a channel this library can read, or not readable by this process
            }
        }
        return channels;
    }

    /**
     * {@inheritDoc} Before unlinking, marks the segment deleted, so attached publishers get {@code CLOSED} and the
     * subscriber's {@code poll} throws {@link ChannelNotFoundException} on their next call; each process's mapping
     * (and with it the memory) goes when its publishers and subscriber are closed and collected.
     */
    @Override
    public boolean delete(final String name)
    {
        final Path file = file(name);
        final String notRemovable;
        try
        {
            notRemovable = RemovalRights.of(directory).whyNotRemovable(file);
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot delete channel '" + name + "' (" + file + "): " + ex, ex);
        }
        if (notRemovable != null && Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            // refused before the segment is marked deleted, which would close a channel left in place
            throw new ShmLinkException("cannot delete channel '" + name + "' (" + file + "): " + notRemovable);
        }
        try
        {
            PartySlots.markDeleted(ChannelSegment.open(file, name, false));
        }
        catch (final ChannelNotFoundException ex)
        {
            return false;
        }
        catch (final ShmLinkException notAValidChannel)
        {
            // corrupt or foreign: nobody can be attached to it, so just unlink it
        }
        return RegistryDirectory.delete(file);
    }

    @Override
    public ShmPublisher publisher(final String name)
    {
        ensureAttachable();
        final ChannelSegment segment = ChannelSegment.open(file(name), name);
        final int session = PartySlots.attachPublisher(segment, segment.config().mode().isMultiPublisher());
        try
        {
            final int deadPredecessor = PartySlots.deadLastHolderSession(segment, session);
            if (deadPredecessor != 0)
            {
                DeadClaims.letGo(segment, deadPredecessor);
            }
            return attached(ShmPublisher.of(this, segment, session));
        }
        catch (final RuntimeException ex)
        {
            PartySlots.detachPublisher(segment, session);
            throw ex;
        }
    }

    @Override
    public ShmSubscriber subscriber(final String name)
    {
        ensureAttachable();
        final ChannelSegment segment = ChannelSegment.open(file(name), name);
        if (segment.config().mode().isFanOut())
        {
            final SubscriberSlots.Attachment attachment = SubscriberSlots.attach(segment);
            try
            {
                return attached(new FanOutSubscriber(
                    this, segment, options.claimTimeout.toNanos(), options.readerWait, attachment));
            }
            catch (final RuntimeException ex)
            {
                SubscriberSlots.detach(segment, attachment.slot(), attachment.attachment());
                throw ex;
            }
        }
        PartySlots.attachSubscriber(segment);
        try
        {
            return attached(new QueueSubscriber(this, segment, options.claimTimeout.toNanos(), options.readerWait));
        }
        catch (final RuntimeException ex)
        {
            PartySlots.detachSubscriber(segment);
            throw ex;
        }
    }

    /**
     * {@inheritDoc} A channel is stale when its creator and every party it recorded are dead and it has been idle
     * for {@link Options#staleGrace(Duration)} or longer; one that nobody ever attached to when its creator is dead
     * and it is at least {@link Options#unattachedGrace(Duration)} old.
     */
    @Override
    public int cleanStale()
    {
        return removeStale().size();
    }

    /**
     * {@link #cleanStale()}, naming what it removed.
     *
     * @return the files removed, in the order they were found.
     */
    public List<Path> removeStale()
    {
        return StaleChannels.clean(directory, options.staleGrace, options.unattachedGrace, false);
    }

    /**
     * What {@link #cleanStale()} would remove now, removing nothing (a liveness check of a party of another PID
     * namespace may still remove a dead process's alive file on the way, as listing the channels does).
     *
     * @return the files, in the order they were found.
     */
    public List<Path> findStale()
    {
        return StaleChannels.clean(directory, options.staleGrace, options.unattachedGrace, true);
    }

    /**
     * Closes every publisher and subscriber this registry made and stops its liveness thread. This process keeps
     * its alive file in the directory until it exits: a thread of a closed publisher may still be writing a claim.
     * As {@link ShmPublisher#close()} says, an SPSC or SPMC publisher must not be closed while another thread is
     * inside one of its sends: stop the sending thread first.
     */
    @Override
    public void close()
    {
        final List<Party> toClose;
        synchronized (this)
        {
            closed = true;
            toClose = new ArrayList<>(parties);
        }
        for (final Party party : toClose)
        {
            party.close();
        }
        synchronized (this)
        {
            if (monitor != null)
            {
                monitor.close();
                monitor = null;
            }
            if (alive != null)
            {
                alive.close();
            }
        }
    }

    private synchronized <T extends Party> T attached(final T party)
    {
        ensureOpen();
        parties.add(party);
        if (monitor == null)
        {
            monitor = new LivenessMonitor(options.livenessIntervalMs);
        }
        monitor.add(party);
        return party;
    }

    synchronized void detached(final Party party)
    {
        parties.remove(party);
        if (monitor != null)
        {
            monitor.remove(party);
        }
    }

    private synchronized void ensureOpen()
    {
        if (closed)
        {
            throw new ShmLinkException("registry " + directory + " is closed");
        }
    }

    private Path file(final String name)
    {
        ChannelNames.validate(name);
        return directory.resolve(name);
    }
}
