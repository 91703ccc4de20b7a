package io.shmlink.shm.registry;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.segment.RegularFiles;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.wait.DoorbellAddress;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.shmlink.shm.segment.SegmentDescriptor.*;

/**
 * Finds what dead processes left in a registry directory: temporary files of creations killed half-way, doorbell
 * sockets and alive files of dead processes, and channels whose every recorded party is dead and that have been
 * idle for a grace period. Liveness of other processes is judged as {@link ProcessToken#isAlive(long)}
 * does, so a registry must be open on the directory in this JVM for those of other PID namespaces to be seen.
 * A channel nobody ever attached to was made ahead of its users and has a grace of its own, longer by default.
 */
public final class StaleChannels
{
    private static final System.Logger LOGGER = System.getLogger(StaleChannels.class.getName());

    private StaleChannels()
    {
    }

    /**
     * Removes stale channels and creation debris.
     *
     * @param directory the registry directory.
     * @param grace     how long a channel without live parties must have been idle.
     * @return files removed.
     */
    public static int clean(final Path directory, final Duration grace)
    {
        return clean(directory, grace, grace, false).size();
    }

    /**
     * Finds, and unless told not to removes, stale channels and creation debris. A channel is stale when its
     * creator and every party it recorded are dead and it has been idle for {@code grace} or longer; a channel no
     * party ever attached to (made ahead of its users) only once its creator is dead and it is at least
     * {@code unattachedGrace} old.
     *
     * @param directory       the registry directory.
     * @param grace           how long a channel whose parties are all dead must have been idle.
     * @param unattachedGrace how old a channel never attached to must be.
     * @param dryRun          true to remove nothing and only list; liveness checks of other PID namespaces may still
     *                        remove the alive files of dead processes they come across, as any listing does.
     * @return the files removed (or that would be, in a dry run), in the order they were found.
     */
    public static List<Path> clean(
        final Path directory, final Duration grace, final Duration unattachedGrace, final boolean dryRun)
    {
        return clean(directory, grace, unattachedGrace, true, dryRun, System.currentTimeMillis());
    }

    /**
     * Removes only the debris of creations whose creator died, and doorbell sockets and alive files whose owner
     * died: cheap enough to run whenever a registry opens.
     *
     * @param directory the registry directory.
     * @return files removed.
     */
    public static int cleanDebris(final Path directory)
    {
        return clean(directory, Duration.ZERO, Duration.ZERO, false, false, System.currentTimeMillis()).size();
    }

    /**
     * {@link #clean(Path, Duration, Duration, boolean)} as of a given time: a channel idle for exactly the grace is
     * stale, so that a grace of zero removes one whose last party left in the very millisecond of the cleanup.
     *
     * @param now the wall-clock time, in the milliseconds heartbeats are written in.
     */
    static List<Path> clean(final Path directory, final Duration grace, final Duration unattachedGrace,
        final boolean channels, final boolean dryRun, final long now)
    {
        final List<Path> removed = new ArrayList<>();
        final long idleBefore = now - grace.toMillis();
        final long unattachedBefore = now - unattachedGrace.toMillis();
        final List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory))
        {
            final RemovalRights rights = RemovalRights.of(directory);
            stream.forEach(paths::add);
            // Alive files first: a liveness check of a channel's party may remove a dead process's alive file on
            // the way, and the count must not depend on the order the directory lists its files in
            paths.sort(Comparator.comparing(path -> AliveFiles.holderToken(path.getFileName().toString()) == 0));
            for (final Path path : paths)
            {
                final String name = path.getFileName().toString();
                if (AliveFiles.holderToken(name) != 0)
                {
                    // removed by the check itself, under the lock it took; this process's own is never opened
                    if (dryRun ? AliveFiles.isUnheld(path) : AliveFiles.removeIfUnheld(path))
                    {
                        removed.add(path);
                    }
                    continue;
                }
                final long doorbellOwner = DoorbellAddress.ownerToken(name);
                if ((doorbellOwner != 0 ? !ProcessToken.isAlive(doorbellOwner) :
                    ChannelSegment.isCreationDebris(name) ? isDebrisOfDeadCreator(name) :
                    channels && ChannelNames.isValid(name) && isStale(path, idleBefore, unattachedBefore)) &&
                    rights.mayRemove(path) && (dryRun ? Files.exists(path, LinkOption.NOFOLLOW_LINKS) : remove(path)))
                {
                    removed.add(path);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot clean registry directory " + directory + ": " + ex, ex);
        }
        return removed;
    }

    /**
     * Removes a stale file. A doorbell's staging directory (a subscriber killed while binding its socket) goes with
     * what is in it. A file this process may not remove after all is left where it is, never a failure of the whole
     * cleanup.
     *
     * @return true if this call removed it.
     */
    private static boolean remove(final Path path) throws IOException
    {
        try
        {
            if (DoorbellAddress.isStaging(path.getFileName().toString()))
            {
                return DoorbellAddress.deleteStaging(path); // follows no link, whatever is swapped in meanwhile
            }
            return Files.deleteIfExists(path);
        }
        catch (final NoSuchFileException gone)
        {
            return false;
        }
        catch (final FileSystemException notPermitted)
        {
            return false; // such as another user's file where the sticky bit says only its owner may: left to them
        }
    }

    /** Debris is named {@code .NAME.PID.RANDOM.creating}: stale once that pid is gone. */
    private static boolean isDebrisOfDeadCreator(final String fileName)
    {
        final String[] parts = fileName.split("\\.");
        try
        {
            final long pid = Long.parseLong(parts[parts.length - 3]);
            return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        }
        catch (final RuntimeException malformed)
        {
            return true;
        }
    }

    private static boolean isStale(final Path file, final long idleBefore, final long unattachedBefore)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(RING_OFFSET).order(ByteOrder.nativeOrder());
        ByteBuffer subscriberSlots = null;
        // never a plain open for reading: a FIFO under a channel's name would block every cleanup for ever
        try (FileChannel channel = RegularFiles.open(file))
        {
            RegularFiles.readFully(channel, bytes);
            subscriberSlots = fanOutSlots(channel, bytes);
        }
        catch (final RegularFiles.NotRegularFileException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, () -> "not cleaning " + file + ": " + ex.getReason());
            return false; // not a channel: left to a human, as any file this library does not understand
        }
        catch (final IOException ex)
        {
            return false; // gone meanwhile, or not this process's to write: not known to be stale
        }
        if (bytes.position() < RING_OFFSET)
        {
            return false; // not a channel we understand: leave it to a human
        }
        final UnsafeBuffer header = new UnsafeBuffer(bytes);
        if (header.getLong(MAGIC_OFFSET) != SegmentDescriptor.MAGIC)
        {
            return false;
        }
        final long created = header.getLong(CREATION_TIME_OFFSET);
        long lastActivity = created;
        // a slot once taken keeps a token (DETACHED after a close), so all-NONE means nobody ever attached
        boolean everAttached = false;
        if (subscriberSlots == null)
        {
            final long subscriberToken = header.getLong(SUBSCRIBER_TOKEN_OFFSET);
            if (isLive(subscriberToken))
            {
                return false;
            }
            everAttached = subscriberToken != ProcessToken.NONE;
            lastActivity = Math.max(lastActivity, header.getLong(SUBSCRIBER_HEARTBEAT_OFFSET));
        }
        else
        {
            // fan-out: the header's subscriber word counts membership changes; the subscribers are in their slots
            final UnsafeBuffer slots = new UnsafeBuffer(subscriberSlots);
            for (int offset = 0; offset + FanOutDescriptor.SLOT_LENGTH <= slots.capacity();
                offset += FanOutDescriptor.SLOT_LENGTH)
            {
                final long token = slots.getLong(offset + FanOutDescriptor.SLOT_TOKEN_OFFSET);
                if (isLive(token))
                {
                    return false;
                }
                everAttached |= token != ProcessToken.NONE;
                lastActivity = Math.max(lastActivity, slots.getLong(offset + FanOutDescriptor.SLOT_HEARTBEAT_OFFSET));
            }
        }
        for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
        {
            final int offset = publisherSlotOffset(slot);
            final long token = header.getLong(offset + SLOT_TOKEN_OFFSET);
            if (isLive(token))
            {
                return false;
            }
            everAttached |= token != ProcessToken.NONE;
            lastActivity = Math.max(lastActivity, header.getLong(offset + SLOT_HEARTBEAT_OFFSET));
        }
        final long creator = header.getLong(CREATOR_PID_OFFSET);
        final boolean creatorAlive = ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false);
        return !creatorAlive && (everAttached ? lastActivity <= idleBefore : created <= unattachedBefore);
    }

    /**
     * A fan-out channel's subscriber slots, read from the file; null for SPSC and MPSC, or for a header too odd
     * to say (then only the header page counts, as for a queue: a corrupt channel is not known to be in use).
     */
    private static ByteBuffer fanOutSlots(final FileChannel channel, final ByteBuffer header) throws IOException
    {
        if (header.position() < RING_OFFSET)
        {
            return null;
        }
        final UnsafeBuffer view = new UnsafeBuffer(header);
        final int mode = view.getInt(MODE_OFFSET);
        final int capacity = view.getInt(CAPACITY_OFFSET);
        if ((mode != SegmentDescriptor.MODE_SPMC && mode != SegmentDescriptor.MODE_MPMC) ||
            capacity < ChannelConfig.MIN_CAPACITY || capacity > ChannelConfig.MAX_CAPACITY ||
            Integer.bitCount(capacity) != 1)
        {
            return null;
        }
        final long region = FanOutDescriptor.regionOffset(capacity);
        final ByteBuffer count = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder());
        channel.read(count, region + FanOutDescriptor.MAX_SUBSCRIBERS_OFFSET);
        final int subscribers = count.position() == Integer.BYTES ? count.getInt(0) : 0;
        if (subscribers < 1 || subscribers > ChannelConfig.MAX_SUBSCRIBERS)
        {
            return null;
        }
        final ByteBuffer slots = ByteBuffer.allocate(subscribers * FanOutDescriptor.SLOT_LENGTH)
            .order(ByteOrder.nativeOrder());
        while (slots.hasRemaining() &&
            channel.read(slots, region + FanOutDescriptor.SLOTS_OFFSET + slots.position()) > 0)
        {
            // until the slots or the file end
        }
        return slots.limit(slots.position()).position(0);
    }

    private static boolean isLive(final long token)
    {
        return ProcessToken.isAttached(token) && ProcessToken.isAlive(token);
    }
}
