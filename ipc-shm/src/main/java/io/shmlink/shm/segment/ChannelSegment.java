package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelExistsException;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.IncompatibleChannelException;
import io.shmlink.api.PartyInfo;
import io.shmlink.api.ShmLinkException;
import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import static io.shmlink.shm.segment.SegmentDescriptor.*;

/**
 * One channel's segment file, mapped into this process and validated.
 * <p>
 * <b>Atomic creation.</b> The creator writes the whole segment under a temporary name that no channel name can
 * take (it starts with a dot), stores the ready word last, then hard-links it to the channel's name. {@code link}
 * fails if the name exists, so exactly one racer wins and nobody can open a half-written header; losers get
 * {@link ChannelExistsException} and open the winner's file. A creator killed half-way leaves only a dot-file,
 * which {@link #isCreationDebris(String)} recognises for cleanup.
 */
public final class ChannelSegment
{
    /** Suffix of the temporary file a creation writes before linking it to its name. */
    public static final String CREATING_SUFFIX = ".creating";

    /**
     * Told of each step a creation has completed ({@code temp-created}, {@code sized}, {@code header-written},
     * {@code ready}, {@code linked}): a seam through which the test kit halts a creating JVM between steps, as a
     * {@code kill -9} would. Package-private and a no-op unless the test kit sets it.
     */
    static volatile Consumer<String> creationSteps = step -> {};

    private static final int PAGE_SIZE = UnsafeApi.pageSize();

    /** How long a live fan-out subscriber may hold publishers back before it is evicted, unless set at creation. */
    public static final long DEFAULT_SLOW_SUBSCRIBER_TIMEOUT_MS = 5000;

    /** Bytes of zeros per write when a creation reserves its file's blocks. */
    private static final int RESERVE_CHUNK = 1 << 20;

    private final String name;
    private final Path file;
    private final ChannelConfig config;
    private final UnsafeBuffer buffer;
    private final Object fileKey;

    /** The same file as a {@code java.io.File}, whose size and existence can be read with no garbage; or null. */
    private final File plainFile;

    /** The mapping, or for the test kit's in-memory segments a block of native memory, formatted and validated. */
    ChannelSegment(final String name, final Path file, final ChannelConfig config, final UnsafeBuffer buffer)
    {
        this(name, file, config, buffer, null);
    }

    /**
     * @param fileKey the identity of the mapped file (device and inode) as read before mapping it, so that the file
     *                under this name can be told from another one; null for memory that is no file.
     */
    ChannelSegment(
        final String name, final Path file, final ChannelConfig config, final UnsafeBuffer buffer, final Object fileKey)
    {
        // The rings address the mapping raw (no per-access bounds check): that is safe only if it is native memory
        // that covers the header and the whole ring. Validation checked the file's size, but the file can shrink
        // between that look and the mapping, so the mapping itself is checked here, for any caller.
        if (buffer.byteArray() != null)
        {
            throw new IllegalArgumentException("channel '" + name + "': a segment must be native memory");
        }
        final long needed = FanOutDescriptor.mappedLength(config);
        if (buffer.capacity() < needed)
        {
            throw corrupt(name, file, "mapped length", buffer.capacity() + " (the header, a ring of " +
                config.capacity() + " bytes and any subscriber region need " + needed +
                ": the file shrank after it was validated?)");
        }
        this.name = name;
        this.file = file;
        this.config = config;
        this.buffer = buffer;
        this.fileKey = fileKey;
        this.plainFile = fileKey == null ? null : file.toFile();
    }

    /**
     * The address of the segment's first byte in this process, for the rings' raw accesses: the mapping covers
     * {@code RING_OFFSET + capacity} bytes from here (checked when this object was made).
     *
     * @return the native address.
     */
    public long address()
    {
        return buffer.addressOffset();
    }

    /**
     * Creates a channel's segment atomically (see the class comment).
     *
     * @param file        the channel file to create.
     * @param name        the channel name, for messages.
     * @param config      the channel's configuration.
     * @param access      the file's mode and group.
     * @return the channel's description.
     * @throws ChannelExistsException if the file exists.
     */
    public static ChannelInfo create(
        final Path file, final String name, final ChannelConfig config, final FileAccess access)
    {
        return create(file, name, config, access, DEFAULT_SLOW_SUBSCRIBER_TIMEOUT_MS);
    }

    /**
     * Creates a channel's segment atomically (see the class comment).
     *
     * @param file                        the channel file to create.
     * @param name                        the channel name, for messages.
     * @param config                      the channel's configuration.
     * @param access                      the file's mode and group.
     * @param slowSubscriberTimeoutMillis fan-out: how long a live subscriber may hold publishers back before it
     *                                    is evicted; 0 for never. Ignored for SPSC and MPSC.
     * @return the channel's description.
     * @throws ChannelExistsException if the file exists.
     */
    public static ChannelInfo create(
        final Path file,
        final String name,
        final ChannelConfig config,
        final FileAccess access,
        final long slowSubscriberTimeoutMillis)
    {
        if (slowSubscriberTimeoutMillis < 0)
        {
            throw new IllegalArgumentException("slow-subscriber timeout must be >= 0 ms (0: never): " +
                slowSubscriberTimeoutMillis);
        }
        final long timeout = config.mode().isFanOut() ? slowSubscriberTimeoutMillis : 0;
        if (Files.exists(file))
        {
            throw new ChannelExistsException("channel '" + name + "' exists: " + file);
        }
        final Path temp = file.resolveSibling(
            "." + name + "." + ProcessHandle.current().pid() + "." +
            Long.toHexString(ThreadLocalRandom.current().nextLong()) + CREATING_SUFFIX);
        final DirectoryPages pages = DirectoryPages.of(file.getParent());
        final long length = segmentLength(config, pages.pageSize());
        if (length > Integer.MAX_VALUE)
        {
            throw new ShmLinkException("cannot create channel '" + name + "' in " + file.getParent() + ": a ring of " +
                config.capacity() + " bytes on its pages (" + pages + ") takes a file of " + length +
                " bytes, more than one mapping can hold (2 GiB); choose a smaller capacity");
        }
        final long now = System.currentTimeMillis();
        try
        {
            // one open file for all of it: in a shared directory another member could swap the temporary name
            // for a link, and nothing may then be written, sized or chmod-ed through that name
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE), FileAccess.creationMode()))
            {
                access.applyToOpen(temp);
                creationStep("temp-created");
                reserve(channel, file.getParent(), length, name, pages, config.capacity(), freshRingWord(config));
                creationStep("sized");
                final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
                try
                {
                    // Not pre-touched: this mapping lives only until the file is linked, and each party pre-touches
                    // its own at attach. The reserve above allocated every page, so no touch here faults for space.
                    final UnsafeBuffer header = new UnsafeBuffer(mapping);
                    writeHeader(header, config, now, timeout);
                    if (pages.isHugetlbfs())
                    {
                        markFreshRing(header, config, 0); // elsewhere the reserve wrote the ring's words already
                    }
                    creationStep("header-written");
                    header.putIntRelease(READY_OFFSET, READY_VALUE);
                    creationStep("ready");
                }
                finally
                {
                    IoUtil.unmap(mapping);
                }
            }
            Files.createLink(file, temp);
            creationStep("linked");
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new ChannelExistsException("channel '" + name + "' exists: " + file, ex);
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot create channel '" + name + "' in " + file + ": " + ex, ex);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(temp);
            }
            catch (final IOException ignore)
            {
                // left as creation debris for cleanStale
            }
        }
        return new ChannelInfo(name, config.mode(), config.capacity(), config.maxMessageLength(), file,
            ProcessHandle.current().pid(), now, List.of(), null, 0, 0, 0, 0, 0, 0, null, 0, config.maxSubscribers(),
            timeout, List.of());
    }

    /**
     * What every word of a new ring holds: 0, or for MPSC and MPMC the free word of lap 0 ({@link FreeWord}).
     */
    private static long freshRingWord(final ChannelConfig config)
    {
        return !config.mode().isMultiPublisher() ? 0 :
            FreeWord.of(0, Integer.numberOfTrailingZeros(config.capacity()));
    }

    /**
     * Gives the file its length with every block allocated, by writing it (on hugetlbfs, by mapping it), so that a
     * full filesystem is an exception here and never a SIGBUS when a page of the mapping is first touched (tmpfs
     * allocates a sparse file's pages on that touch; Java has no {@code fallocate}). The ring's words are written
     * with their fresh value here, by write(2), not through a mapping: the kernel copies them in without a page
     * fault per page, which on a virtual machine made creating an MPSC channel about 15 times slower.
     */
    private static void reserve(
        final FileChannel channel,
        final Path directory,
        final long length,
        final String name,
        final DirectoryPages pages,
        final int capacity,
        final long ringWord) throws IOException
    {
        if (pages.isHugetlbfs())
        {
            // No write(2) there, and its free space reads 0 without a size limit: the mapping reserves the huge
            // pages instead (a read-write mapping past the end extends the file), and fails (not a SIGBUS) if the
            // pool is short.
            return;
        }
        final long free = Files.getFileStore(directory).getUsableSpace();
        if (free < length)
        {
            throw noSpace(name, directory, length, free, null);
        }
        final ByteBuffer zeros = ByteBuffer.allocateDirect(RESERVE_CHUNK);
        final ByteBuffer ringWords = ByteBuffer.allocateDirect(RESERVE_CHUNK).order(ByteOrder.nativeOrder());
        while (ringWords.hasRemaining())
        {
            ringWords.putLong(ringWord);
        }
        final long ringEnd = (long)RING_OFFSET + capacity;
        try
        {
            long position = 0;
            while (position < length)
            {
                final boolean inRing = position >= RING_OFFSET && position < ringEnd;
                final long regionEnd = position < RING_OFFSET ? RING_OFFSET : inRing ? ringEnd : length;
                final ByteBuffer source = inRing ? ringWords : zeros;
                source.clear().limit((int)Math.min(RESERVE_CHUNK, regionEnd - position));
                while (source.hasRemaining())
                {
                    position += channel.write(source, position);
                }
            }
        }
        catch (final IOException ex)
        {
            final long freeNow = Files.getFileStore(directory).getUsableSpace();
            if (freeNow < length)
            {
                throw noSpace(name, directory, length, free, ex);
            }
            throw ex;
        }
        finally
        {
            IoUtil.unmap(zeros);
            IoUtil.unmap(ringWords);
        }
    }

    private static ShmLinkException noSpace(
        final String name, final Path directory, final long needed, final long free, final Throwable cause)
    {
        return new ShmLinkException("cannot create channel '" + name + "': it needs " + needed + " bytes in " +
            directory + ", whose filesystem has " + free + " bytes free (a container's /dev/shm is often 64 MB:" +
            " enlarge it, e.g. docker run --shm-size, or make the channel smaller)", cause);
    }

    /**
     * MPSC: marks every word of a fresh ring free for its first lap, as {@link FreeWord} requires (a zeroed page
     * is not free space there); SPSC rings start zeroed.
     *
     * @param header   the mapping.
     * @param config   the channel's shape.
     * @param position the ring's first position.
     */
    static void markFreshRing(final UnsafeBuffer header, final ChannelConfig config, final long position)
    {
        if (config.mode().isMultiPublisher())
        {
            FreeWord.markFresh(header, RING_OFFSET, config.capacity(), position);
        }
    }

    /** Everything the creator writes but the ready word. */
    static void writeHeader(
        final UnsafeBuffer header, final ChannelConfig config, final long now, final long slowSubscriberTimeoutMs)
    {
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        header.putInt(MODE_OFFSET, config.mode().ordinal()); // MODE_SPSC .. MODE_MPMC, in the enum's order
        if (config.mode().isFanOut())
        {
            final int region = FanOutDescriptor.regionOffset(config.capacity());
            header.putInt(region + FanOutDescriptor.MAX_SUBSCRIBERS_OFFSET, config.maxSubscribers());
            header.putLong(region + FanOutDescriptor.SLOW_SUBSCRIBER_TIMEOUT_OFFSET, slowSubscriberTimeoutMs);
        }
        header.putInt(CAPACITY_OFFSET, config.capacity());
        header.putInt(MAX_MESSAGE_LENGTH_OFFSET, config.maxMessageLength());
        header.putLong(CREATION_TIME_OFFSET, now);
        header.putLong(CREATOR_PID_OFFSET, ProcessHandle.current().pid());
    }

    private static void creationStep(final String step)
    {
        creationSteps.accept(step);
    }

    /**
     * Maps an existing channel and validates its header against the file before anything else reads it.
     *
     * @param file the channel file.
     * @param name the channel name, for messages.
     * @return the mapped segment. It stays mapped while anything references its buffer, and is unmapped by the
     * garbage collector after that: a thread still inside {@code offer} or {@code poll} when another closes the
     * publisher or subscriber therefore never touches unmapped memory.
     * @throws ChannelNotFoundException     if there is no such file.
     * @throws CorruptChannelException      if a header field is invalid.
     * @throws IncompatibleChannelException if the layout version is not this library's.
     */
    public static ChannelSegment open(final Path file, final String name)
    {
        return open(file, name, true);
    }

    /**
     * Maps an existing channel, validates it, and optionally faults its pages in.
     *
     * @param file     the channel file.
     * @param name     the channel name, for messages.
     * @param preTouch fault every page in now (for parties that will use the ring).
     * @return the mapped segment.
     */
    public static ChannelSegment open(final Path file, final String name, final boolean preTouch)
    {
        final long fileSize;
        final Object fileKey;
        final MappedByteBuffer mapping;
        // Opened without following a link, and mapped through that one open file: in a directory shared with a
        // group, a member could put a link under a channel's name and have another user map what it points at.
        try (FileChannel channel = RegularFiles.open(file))
        {
            final BasicFileAttributes attributes =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            fileSize = channel.size();
            fileKey = attributes.fileKey();
            if (fileSize < RING_OFFSET)
            {
                throw new CorruptChannelException("channel '" + name + "' (" + file + "): file size " + fileSize +
                    " is shorter than the header of " + RING_OFFSET + " bytes (truncated)");
            }
            mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize);
        }
        catch (final NonWritableChannelException readOnly)
        {
            throw new ShmLinkException("cannot attach to channel '" + name + "' (" + file + "): this process may" +
                " read it but not write it, and every party writes the segment", readOnly);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ChannelNotFoundException("no channel '" + name + "': " + file, ex);
        }
        catch (final RegularFiles.NotRegularFileException ex)
        {
            throw new ShmLinkException("refusing channel '" + name + "': " + file + " is " + ex.type() +
                ", not a channel file (someone with write access to the directory put it there)", ex);
        }
        catch (final IOException | IllegalStateException ex)
        {
            if (!Files.exists(file))
            {
                throw new ChannelNotFoundException("no channel '" + name + "': " + file, ex);
            }
            throw new ShmLinkException("cannot map channel '" + name + "' (" + file + "): " + ex, ex);
        }
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(mapping);
            final ChannelConfig config =
                validate(buffer, fileSize, name, file, (offset, length) -> new UnsafeBuffer(buffer, offset, length));
            if (preTouch)
            {
                preTouch(buffer, name, file);
            }
            return new ChannelSegment(name, file, config, new UnsafeBuffer(mapping), fileKey);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapping);
            throw ex;
        }
        catch (final IOException cannotHappen)
        {
            IoUtil.unmap(mapping);
            throw new ShmLinkException("cannot read channel '" + name + "' (" + file + "): " + cannotHappen,
                cannotHappen);
        }
    }

    /**
     * Reads and validates a channel's description without mapping it.
     *
     * @param file    the channel file.
     * @param name    the channel name.
     * @param parties how the party slots read.
     * @return its description.
     * @throws ChannelNotFoundException if there is no such file.
     * @throws CorruptChannelException  if a header field is invalid.
     */
    public static ChannelInfo describe(final Path file, final String name, final PartyView parties)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(RING_OFFSET).order(ByteOrder.nativeOrder());
        // never a plain open for reading: a FIFO put under a channel's name would block it for ever
        try (FileChannel channel = RegularFiles.open(file))
        {
            final long fileSize = RegularFiles.readFully(channel, bytes);
            if (fileSize < RING_OFFSET)
            {
                throw new CorruptChannelException("channel '" + name + "' (" + file + "): file size " + fileSize +
                    " is shorter than the header of " + RING_OFFSET + " bytes (truncated)");
            }
            final UnsafeBuffer header = new UnsafeBuffer(bytes);
            final RegionReader region = (offset, length) -> readRegion(channel, offset, length);
            final ChannelConfig config = validate(header, fileSize, name, file, region);
            return describe(header, fanOutRegion(config, region), config, name, file, parties);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ChannelNotFoundException("no channel '" + name + "': " + file, ex);
        }
        catch (final RegularFiles.NotRegularFileException ex)
        {
            throw new CorruptChannelException("channel '" + name + "' (" + file + "): " + ex.getReason());
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot read channel '" + name + "' (" + file + "): " + ex, ex);
        }
    }

    /** Reads part of a segment file into a buffer of its own: bytes past the file's end read 0. */
    private static UnsafeBuffer readRegion(final FileChannel channel, final int offset, final int length)
        throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        while (bytes.hasRemaining() && channel.read(bytes, offset + (long)bytes.position()) > 0)
        {
            // until the buffer or the file ends
        }
        return new UnsafeBuffer(bytes.array());
    }

    /** A view of part of a segment, from wherever it is read. */
    @FunctionalInterface
    private interface RegionReader
    {
        UnsafeBuffer read(int offset, int length) throws IOException;
    }

    private static UnsafeBuffer fanOutRegion(final ChannelConfig config, final RegionReader region) throws IOException
    {
        return config.mode().isFanOut() ? region.read(FanOutDescriptor.regionOffset(config.capacity()),
            FanOutDescriptor.regionLength(config.maxSubscribers())) : null;
    }

    /**
     * Describes this mapped channel as it is now.
     *
     * @param parties how the party slots read.
     * @return its description.
     */
    public ChannelInfo describe(final PartyView parties)
    {
        final UnsafeBuffer region = config.mode().isFanOut() ? new UnsafeBuffer(buffer,
            FanOutDescriptor.regionOffset(config.capacity()), FanOutDescriptor.regionLength(config.maxSubscribers())) :
            null;
        return describe(buffer, region, config, name, file, parties);
    }

    /**
     * @param region the fan-out subscriber region, its first byte at index 0; null for SPSC and MPSC.
     */
    private static ChannelInfo describe(
        final UnsafeBuffer header, final UnsafeBuffer region, final ChannelConfig config, final String name,
        final Path file, final PartyView parties)
    {
        final List<PartyInfo> publishers = new ArrayList<>();
        for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
        {
            final int offset = publisherSlotOffset(slot);
            final PartyInfo party = parties.partyInfo(header.getLongVolatile(offset + SLOT_TOKEN_OFFSET),
                header.getLongVolatile(offset + SLOT_HEARTBEAT_OFFSET));
            if (party != null)
            {
                publishers.add(party);
            }
        }
        final PartyInfo subscriber = parties.partyInfo(header.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET),
            header.getLongVolatile(SUBSCRIBER_HEARTBEAT_OFFSET));
        long head = header.getLongVolatile(HEAD_POSITION_OFFSET);
        // MPSC: the tail is a hint of where the records end, which may lag behind the head (see MpscRingWriter)
        final long tail = header.getLongVolatile(TAIL_POSITION_OFFSET);
        long messages = header.getLongVolatile(MESSAGES_CONSUMED_OFFSET);
        long bytes = header.getLongVolatile(BYTES_CONSUMED_OFFSET);
        final List<io.shmlink.api.SubscriberInfo> subscribers = new ArrayList<>();
        long timeoutMs = 0;
        if (region != null)
        {
            timeoutMs = region.getLongVolatile(FanOutDescriptor.SLOW_SUBSCRIBER_TIMEOUT_OFFSET);
            head = tail;
            messages = 0;
            bytes = 0;
            for (int slot = 0; slot < config.maxSubscribers(); slot++)
            {
                final int offset = FanOutDescriptor.SLOTS_OFFSET + slot * FanOutDescriptor.SLOT_LENGTH;
                final long attachment = region.getLongVolatile(offset + FanOutDescriptor.SLOT_ATTACHMENT_OFFSET);
                messages += region.getLongVolatile(offset + FanOutDescriptor.SLOT_MESSAGES_OFFSET);
                bytes += region.getLongVolatile(offset + FanOutDescriptor.SLOT_BYTES_OFFSET);
                final int state = FanOutDescriptor.state(attachment);
                // an evicted subscriber is listed until its next poll, close or a join gives the slot back
                if (state != FanOutDescriptor.STATE_ATTACHED && state != FanOutDescriptor.STATE_EVICTED)
                {
                    continue;
                }
                final boolean evicted = state == FanOutDescriptor.STATE_EVICTED;
                final PartyInfo party = parties.partyInfo(
                    region.getLongVolatile(offset + FanOutDescriptor.SLOT_TOKEN_OFFSET),
                    region.getLongVolatile(offset + FanOutDescriptor.SLOT_HEARTBEAT_OFFSET));
                if (party != null)
                {
                    final long position = region.getLongVolatile(offset + FanOutDescriptor.SLOT_HEAD_OFFSET);
                    if (!evicted)
                    {
                        head = Math.min(head, position); // an evicted subscriber holds no publisher back
                    }
                    subscribers.add(new io.shmlink.api.SubscriberInfo(slot, party.pid(), party.alive(),
                        party.lastHeartbeatMillis(), position, tail - position,
                        region.getLongVolatile(offset + FanOutDescriptor.SLOT_EVICTIONS_OFFSET), evicted));
                }
            }
        }
        return new ChannelInfo(name, config.mode(), config.capacity(), config.maxMessageLength(), file,
            header.getLong(CREATOR_PID_OFFSET), header.getLong(CREATION_TIME_OFFSET), publishers,
            region == null ? subscriber : null, config.mode() == ChannelMode.MPSC ? Math.max(tail, head) : tail, head,
            messages, bytes,
            header.getLongVolatile(BACK_PRESSURE_EVENTS_OFFSET), header.getLongVolatile(LOST_CLAIMS_OFFSET),
            LastLostClaim.read(header), header.getLongVolatile(BACK_PRESSURE_EPISODES_OFFSET), config.maxSubscribers(),
            timeoutMs, subscribers);
    }

    /**
     * Whether a file name in the registry directory is left over from a creation (see the class comment).
     *
     * @param fileName a file name.
     * @return true for a temporary creation file.
     */
    public static boolean isCreationDebris(final String fileName)
    {
        return fileName.startsWith(".") && fileName.endsWith(CREATING_SUFFIX);
    }

    private static ChannelConfig validate(
        final UnsafeBuffer header, final long fileSize, final String name, final Path file, final RegionReader regions)
        throws IOException
    {
        final long magic = header.getLong(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw corrupt(name, file, "magic", "0x" + Long.toHexString(magic) +
                " (expected 0x" + Long.toHexString(MAGIC) + "): not a ShmLink channel");
        }
        final int version = header.getInt(LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            throw new IncompatibleChannelException("channel '" + name + "' (" + file + "): layout version " +
                version + " is not supported (this library reads version " + LAYOUT_VERSION + ")");
        }
        final int ready = header.getIntAcquire(READY_OFFSET);
        if (ready != READY_VALUE)
        {
            throw corrupt(name, file, "ready word", "0x" + Integer.toHexString(ready) + ": never initialised");
        }
        final int mode = header.getInt(MODE_OFFSET);
        if (mode < MODE_SPSC || mode > MODE_MPMC)
        {
            throw corrupt(name, file, "mode", mode + " (0 SPSC, 1 MPSC, 2 SPMC, 3 MPMC)");
        }
        final int capacity = header.getInt(CAPACITY_OFFSET);
        if (capacity < ChannelConfig.MIN_CAPACITY || capacity > ChannelConfig.MAX_CAPACITY ||
            Integer.bitCount(capacity) != 1)
        {
            throw corrupt(name, file, "capacity", capacity + " (must be a power of two in [" +
                ChannelConfig.MIN_CAPACITY + ", " + ChannelConfig.MAX_CAPACITY + "])");
        }
        if (fileSize < (long)RING_OFFSET + capacity)
        {
            throw corrupt(name, file, "file size", fileSize + " (capacity " + capacity + " needs " +
                ((long)RING_OFFSET + capacity) + "): truncated");
        }
        final int maxMessageLength = header.getInt(MAX_MESSAGE_LENGTH_OFFSET);
        if (maxMessageLength < 0 || maxMessageLength > capacity / 8)
        {
            throw corrupt(name, file, "max message length", maxMessageLength + " (must be in [0, " +
                capacity / 8 + "])");
        }
        final ChannelMode channelMode = ChannelMode.values()[mode];
        if (!channelMode.isFanOut())
        {
            return new ChannelConfig(channelMode, capacity, maxMessageLength);
        }
        final long regionEnd = (long)FanOutDescriptor.regionOffset(capacity) + FanOutDescriptor.SLOTS_OFFSET;
        if (fileSize < regionEnd)
        {
            throw corrupt(name, file, "file size", fileSize + " (a fan-out channel of capacity " + capacity +
                " needs at least " + regionEnd + " bytes): truncated");
        }
        final UnsafeBuffer region =
            regions.read(FanOutDescriptor.regionOffset(capacity), FanOutDescriptor.SLOTS_OFFSET);
        final int maxSubscribers = region.getInt(FanOutDescriptor.MAX_SUBSCRIBERS_OFFSET);
        if (maxSubscribers < 1 || maxSubscribers > ChannelConfig.MAX_SUBSCRIBERS)
        {
            throw corrupt(name, file, "max subscribers", maxSubscribers + " (must be in [1, " +
                ChannelConfig.MAX_SUBSCRIBERS + "])");
        }
        final ChannelConfig config = new ChannelConfig(channelMode, capacity, maxMessageLength, maxSubscribers);
        if (fileSize < FanOutDescriptor.mappedLength(config))
        {
            throw corrupt(name, file, "file size", fileSize + " (capacity " + capacity + " and " + maxSubscribers +
                " subscriber slots need " + FanOutDescriptor.mappedLength(config) + "): truncated");
        }
        final long timeout = region.getLong(FanOutDescriptor.SLOW_SUBSCRIBER_TIMEOUT_OFFSET);
        if (timeout < 0)
        {
            throw corrupt(name, file, "slow-subscriber timeout", timeout + " ms (must be >= 0; 0 is never)");
        }
        return config;
    }

    /**
     * A {@link CorruptChannelException} naming the channel, file, field and value.
     *
     * @param name  channel name.
     * @param file  channel file.
     * @param field the field that holds an impossible value.
     * @param value the value and why it is wrong.
     * @return the exception to throw.
     */
    public static CorruptChannelException corrupt(
        final String name, final Path file, final String field, final String value)
    {
        return new CorruptChannelException(
            "channel '" + name + "' (" + file + ") is corrupt: " + field + " = " + value);
    }

    /**
     * Faults every page in now, so that no page fault lands on the hot path. First a read of each page: a read
     * fault on a file mapping maps the neighbouring pages already in the page cache too (the kernel's fault-around,
     * 16 pages by default), so a segment whose pages exist takes a sixteenth of the faults. Then a write of each
     * page, an atomic add of zero that changes nothing even while other processes use the segment: where the read
     * left a page mapped read-only, its write fault is taken here rather than on the hot path.
     */
    private static void preTouch(final UnsafeBuffer buffer)
    {
        final int last = buffer.capacity() - Long.BYTES; // a file of any length may be handed to us
        for (int i = 0; i <= last; i += PAGE_SIZE)
        {
            buffer.getLongVolatile(i); // a volatile read is never optimised away
        }
        for (int i = 0; i <= last; i += PAGE_SIZE)
        {
            buffer.getAndAddLong(i, 0);
        }
    }

    /**
     * Pre-touches an existing file at attach. A file whose pages were never allocated (made by other means than
     * {@link #create}, or truncated and grown again) on a full filesystem faults on the first touch; the JVM turns
     * that SIGBUS into an {@link InternalError} during an unsafe access, and this turns it into an answer.
     */
    private static void preTouch(final UnsafeBuffer buffer, final String name, final Path file)
    {
        try
        {
            preTouch(buffer);
        }
        catch (final InternalError ex)
        {
            long free = -1;
            try
            {
                free = Files.getFileStore(file.getParent()).getUsableSpace();
            }
            catch (final IOException ignore)
            {
                // reported as unknown
            }
            throw new ShmLinkException("cannot attach to channel '" + name + "' (" + file + "): a page of its " +
                buffer.capacity() + " bytes could not be touched; its filesystem has " + free + " bytes free, or" +
                " the file was truncated meanwhile (" + ex.getMessage() + ")", ex);
        }
    }

    /**
     * What a fault on this segment's mapping means. The JVM turns a SIGBUS during an unsafe access into an
     * {@link InternalError}; on a shared-memory file that is almost always another process truncating the file under
     * the mapping, which this checks against the file's size now.
     *
     * @param fault the error the JVM raised.
     * @return a {@link CorruptChannelException} naming channel, file and sizes if the file is now shorter than the
     * mapping.
     * @throws InternalError the fault itself, if the file is not shorter: this cannot explain it.
     */
    public CorruptChannelException faulted(final InternalError fault)
    {
        final long size = truncatedSize();
        if (size < 0)
        {
            throw fault;
        }
        final CorruptChannelException corrupt = truncated(size);
        corrupt.initCause(fault);
        return corrupt;
    }

    /**
     * Whether the mapped file is, provably, now shorter than this mapping, so that touching the missing pages
     * faults: the file under this segment's name is the one mapped (same device and inode) and it is short. Cold
     * paths (close, the liveness ticks) ask before they touch the segment: the JVM survives a fault in most unsafe
     * accesses, but not in an interpreted compare-and-set, which crashes it. A file removed or replaced since the
     * mapping cannot be looked at and counts as whole: the socket layer removes its connections' files while both
     * ends use them, and a removed file's mapping stays whole unless it was truncated first (see DESIGN.md).
     *
     * @return true if pages of the mapping are known to be gone.
     */
    public boolean isTruncated()
    {
        return truncatedSize() >= 0;
    }

    /**
     * One look at the file under this segment's name. The liveness thread takes it for every party on every tick,
     * so the common answers cost no garbage: {@link File#length()} and {@link File#exists()} are one
     * {@code stat} each and allocate nothing (a {@link Files#readAttributes} allocates its attributes, its view
     * and the file key, some 200 bytes), and a file under the name at least as long as the mapping, or no file
     * at all, is no truncated mapped file whoever it is. Only a shorter one is compared by device and inode.
     *
     * @return its size if it is the mapped file and shorter than the mapping, else -1.
     */
    private long truncatedSize()
    {
        if (fileKey == null)
        {
            return -1;
        }
        final long length = plainFile.length();
        if (length >= buffer.capacity() || length == 0 && !plainFile.exists())
        {
            return -1;
        }
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return fileKey.equals(attributes.fileKey()) && attributes.size() < buffer.capacity() ?
                attributes.size() : -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * Throws if {@link #isTruncated()}.
     *
     * @throws CorruptChannelException naming channel, file and both sizes.
     */
    public void checkNotTruncated()
    {
        final long size = truncatedSize();
        if (size >= 0)
        {
            throw truncated(size);
        }
    }

    private CorruptChannelException truncated(final long size)
    {
        return corrupt("file size", size + " (the mapping needs " + buffer.capacity() +
            " bytes: the file was truncated under it by another process)");
    }

    /**
     * @return a {@link CorruptChannelException} for this segment.
     * @param field the field that holds an impossible value.
     * @param value the value and why it is wrong.
     */
    public CorruptChannelException corrupt(final String field, final String value)
    {
        return corrupt(name, file, field, value);
    }

    /** @return the channel name. */
    public String name()
    {
        return name;
    }

    /** @return the channel file. */
    public Path file()
    {
        return file;
    }

    /** @return the validated configuration. */
    public ChannelConfig config()
    {
        return config;
    }

    /** @return the whole mapping: header, party slots and ring. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }
}
