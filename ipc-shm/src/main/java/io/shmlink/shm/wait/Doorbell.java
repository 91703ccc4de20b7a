package io.shmlink.shm.wait;

import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.segment.FileAccess;
import io.shmlink.shm.segment.OpenFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.shmlink.shm.segment.QuietCleanup.closeQuietly;
import static io.shmlink.shm.segment.QuietCleanup.deleteQuietly;

/**
 * The receiving end of a subscriber's wake-up signal: a Unix-domain stream socket that publishers connect to and
 * write a byte into when they find the subscriber asleep. The subscriber blocks in {@link #await(long)} (epoll
 * underneath), which returns when any byte or connection arrives, or on timeout.
 * <p>
 * Why a socket: it is the one kernel object pure Java 17 can both block on and signal from another process
 * without a helper thread. A FIFO blocks its opener until the other end opens, and JDK 17 has no Unix-domain
 * datagrams. Publishers keep their connection, so a wake-up after the first costs one {@code write}.
 * <p>
 * Used by one thread, the subscriber's, but for {@link #close()}: any thread may call it, at any time and more than
 * once at once, and it wakes that thread if it is blocked in {@link #await(long)}.
 */
public final class Doorbell implements AutoCloseable
{
    private static final AtomicInteger NEXT_NUMBER = new AtomicInteger();

    /** The staging directory a socket is bound in: its owner's only. */
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private final Path path;
    private final int number;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final ByteBuffer drain = ByteBuffer.allocateDirect(256);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private SelectionKey[] rung = new SelectionKey[4];
    private int rungCount;
    /** Set by the first {@link #close()}, so that no later or concurrent one walks a selector being closed. */
    private final AtomicBoolean closed = new AtomicBoolean();

    private Doorbell(final Path path, final int number, final ServerSocketChannel server, final Selector selector)
    {
        this.path = path;
        this.number = number;
        this.server = server;
        this.selector = selector;
    }

    /**
     * Binds a new doorbell in the registry directory, its socket file of the registry's mode and group (0600, or
     * 0660 when shared), set explicitly whatever the umask.
     * <p>
     * A Unix-domain socket takes its file's mode from the umask at {@code bind}, and a process may {@code connect}
     * to it if it may write that file, so a socket bound in place under {@code umask 000} would be
     * {@code rwxrwxrwx} until its mode is set. So it is bound in a private directory of its own (0700, named like
     * the socket with {@value DoorbellAddress#STAGING_SUFFIX} appended, which nobody else can enter), given its
     * mode and group there, and only then renamed to its name in the registry directory: nobody can connect to it
     * before it has its final mode. The rename keeps the bound socket (Linux finds a socket by its inode).
     * <p>
     * In a shared directory any member may rename the private directory's entry and put a link in its place, so
     * that directory is reached only through this process's own handle on it ({@link OpenFiles}: a
     * {@code /proc/self/fd} path, which leads to the directory opened whatever its name now names, and is short
     * enough for a socket address wherever the registry is). A socket file cannot be opened, so its mode could not
     * be set on a handle; inside that directory, which only this process's user can write, its path is safe.
     *
     * @param directory  the registry directory.
     * @param ownerToken this process's token.
     * @param access     the mode and group of the registry's files.
     * @return the doorbell, or null if none can be bound here (path too long for a socket, no permission, or no
     * {@code /proc/self/fd}); the caller then sleeps in short timed parks instead.
     */
    public static Doorbell openOrNull(final Path directory, final long ownerToken, final FileAccess access)
    {
        final int number = Math.max(1, NEXT_NUMBER.incrementAndGet() & Integer.MAX_VALUE);
        final Path path = DoorbellAddress.path(directory, ownerToken, number);
        final Path staging = DoorbellAddress.stagingDirectory(directory, ownerToken, number);
        if (DoorbellAddress.addressOrNull(path) == null)
        {
            return null;
        }
        ServerSocketChannel server = null;
        try
        {
            // a predecessor with our pid and start time cannot be alive: it was us
            Files.deleteIfExists(path);
            DoorbellAddress.deleteStaging(staging);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
            try (SecureDirectoryStream<Path> privateDirectory = FileAccess.openCreatedDirectory(staging))
            {
                // the umask may have narrowed it, even to nothing for its owner
                privateDirectory.getFileAttributeView(PosixFileAttributeView.class).setPermissions(PRIVATE_DIRECTORY);
                final Path handle = OpenFiles.find(
                    privateDirectory.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey());
                if (handle == null)
                {
                    throw new IOException("no /proc/self/fd entry for the open directory " + staging);
                }
                final Path staged = handle.resolve(DoorbellAddress.STAGED_SOCKET);
                server.bind(UnixDomainSocketAddress.of(staged));
                access.applyToPrivate(staged);
                Files.move(staged, path, StandardCopyOption.ATOMIC_MOVE);
            }
            DoorbellAddress.deleteStaging(staging);
            server.configureBlocking(false);
            final Selector selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            return new Doorbell(path, number, server, selector);
        }
        catch (final IOException | UnsupportedOperationException | ShmLinkException ex)
        {
            closeQuietly(server);
            deleteQuietly(path);
            deleteStagingQuietly(staging);
            return null;
        }
    }

    private static void deleteStagingQuietly(final Path staging)
    {
        try
        {
            DoorbellAddress.deleteStaging(staging);
        }
        catch (final IOException ignored)
        {
            // left for the registry's debris cleanup, which removes a dead owner's staging directory
        }
    }

    /**
     * @return the number publishers find in the segment to build this doorbell's path.
     */
    public int number()
    {
        return number;
    }

    /**
     * Blocks until a publisher rings, a publisher connects, or the timeout passes; consumes the rings.
     *
     * @param timeoutNanos the longest wait, rounded up to whole milliseconds (the selector's unit).
     */
    public void await(final long timeoutNanos)
    {
        try
        {
            selector.select(onReady, selectMillis(timeoutNanos));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("doorbell " + path + " failed", ex);
        }
    }

    /**
     * A timeout in the selector's unit, rounded up so that a wait never ends early, and at least 1 ms (0 would
     * block for ever). Rounded without overflow: a timeout near {@link Long#MAX_VALUE} (a sleep bound of
     * {@code withMaxSleep(Duration.ofSeconds(Long.MAX_VALUE))}) stays the longest wait, not 1 ms.
     *
     * @param timeoutNanos the longest wait.
     * @return milliseconds to pass to {@code select}.
     */
    static long selectMillis(final long timeoutNanos)
    {
        final long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        return Math.max(1, timeoutNanos % 1_000_000 == 0 ? millis : millis + 1);
    }

    private void onReady(final SelectionKey key)
    {
        try
        {
            if (key.isAcceptable())
            {
                SocketChannel publisher;
                while ((publisher = server.accept()) != null)
                {
                    publisher.configureBlocking(false);
                    publisher.register(selector, SelectionKey.OP_READ);
                }
            }
            else if (key.isReadable())
            {
                // Drained by clearRings() before the next sleep, not now: the subscriber wakes to read the ring,
                // and a read() here would put one more syscall between the ring and the message.
                if (rungCount == rung.length)
                {
                    rung = Arrays.copyOf(rung, rung.length * 2);
                }
                rung[rungCount++] = key;
            }
        }
        catch (final IOException ex)
        {
            key.cancel();
            closeQuietly(key.channel());
        }
    }

    /**
     * Consumes the rings that woke the last {@link #await}. Call it <i>before</i> announcing the next sleep in the
     * segment: a ring that lands after the announcement must stay unread, to wake that sleep. (Draining inside
     * {@code await}, after the announcement, could eat such a ring, and the subscriber would sleep through its
     * message until the sleep's bound.)
     */
    public void clearRings()
    {
        for (int i = 0; i < rungCount; i++)
        {
            final SelectionKey key = rung[i];
            rung[i] = null;
            final SocketChannel publisher = (SocketChannel)key.channel();
            try
            {
                int read;
                do
                {
                    drain.clear();
                    read = publisher.read(drain);
                }
                while (read > 0 && !drain.hasRemaining());
                if (read < 0)
                {
                    key.cancel();
                    publisher.close();
                }
            }
            catch (final IOException ex)
            {
                key.cancel();
                closeQuietly(publisher);
            }
        }
        rungCount = 0;
    }

    /**
     * Closes the doorbell and wakes a thread awaiting it; later calls do nothing. Two threads may call it at once (a
     * close from another thread wakes a poll whose handler closed the subscriber too): only the first closes.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        for (final SelectionKey key : selector.keys())
        {
            closeQuietly(key.channel());
        }
        closeQuietly(selector);
        closeQuietly(server);
        deleteQuietly(path);
    }
}
