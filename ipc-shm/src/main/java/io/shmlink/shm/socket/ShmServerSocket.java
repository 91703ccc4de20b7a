package io.shmlink.shm.socket;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelExistsException;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.ChannelRegistry;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.RegularFiles;
import io.shmlink.shm.segment.SegmentDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.shmlink.shm.segment.SegmentDescriptor.MAGIC_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SERVER_CONNECTIONS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_ROLE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_ROLE_SERVER_SOCKET;

/**
 * A server socket over shared memory, used like {@code java.net.ServerSocket}: {@link #bind} once,
 * {@link #accept()} in a loop, one {@link ShmSocket} per client. Its name is an MPSC channel in the registry where
 * clients post connection requests; requests wait there, like a listen backlog, until {@code accept} takes them.
 * <p>
 * {@code accept} attaches to the two channels the client made (writing one, reading the other), then unlinks
 * their files: the connection lives on in both mappings, with no name for anyone else to find or leave behind.
 * A request whose client has died, or whose channels are gone, is dropped and its files deleted.
 */
public final class ShmServerSocket implements Closeable
{
    /** The request channel: 64 KiB holds over a thousand pending requests. */
    public static final int REQUEST_CHANNEL_CAPACITY = 64 * 1024;

    private static final long CLOSE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ChannelRegistry registry;
    private final String name;
    private final ShmSubscriber requests;
    /**
     * This server's own mapping of its request channel's header, for its role and connection count. Never unmapped
     * by hand: an accepted socket may count itself down from any thread, even after this server closed; the
     * mapping goes when the last of them is collected.
     */
    private final UnsafeBuffer header;
    private final MessageHandler onRequest = this::onRequest;
    private ConnectionRequest received;
    private volatile int soTimeoutMillis;
    private volatile boolean closed;

    private ShmServerSocket(
        final ChannelRegistry registry, final String name, final ShmSubscriber requests, final UnsafeBuffer header)
    {
        this.registry = registry;
        this.name = name;
        this.requests = requests;
        this.header = header;
        header.putLongRelease(SERVER_CONNECTIONS_OFFSET, 0);
        header.putIntRelease(SUBSCRIBER_ROLE_OFFSET, SUBSCRIBER_ROLE_SERVER_SOCKET);
    }

    /**
     * Binds a server socket: creates its request channel, or takes over one whose server died.
     *
     * @param registry where the socket's channels live; must be a {@link io.shmlink.shm.ShmRegistry}.
     * @param name     the socket's name, a channel name.
     * @return the bound server socket.
     * @throws BindException if a live server socket already has that name, or the name is a channel of another
     *                       kind.
     */
    public static ShmServerSocket bind(final ChannelRegistry registry, final String name) throws IOException
    {
        Objects.requireNonNull(registry, "registry");
        try
        {
            final ChannelInfo info = registry.openOrCreate(name, ChannelConfig.mpsc(REQUEST_CHANNEL_CAPACITY));
            if (info.mode() != ChannelMode.MPSC)
            {
                throw new BindException("'" + name + "' is a " + info.mode() + " channel, not a server socket");
            }
            final ShmSubscriber requests = (ShmSubscriber)registry.subscriber(name);
            try
            {
                return new ShmServerSocket(
                    registry, name, requests, ChannelSegment.open(info.file(), name, false).buffer());
            }
            catch (final RuntimeException ex)
            {
                requests.close();
                throw ex;
            }
        }
        catch (final ChannelExistsException | ClassCastException ex)
        {
            throw bindFailed(name, ex);
        }
        catch (final ShmLinkException ex)
        {
            throw bindFailed(name, ex); // a live subscriber: another server listens on this name
        }
    }

    private static BindException bindFailed(final String name, final RuntimeException cause)
    {
        final BindException ex = new BindException("Address already in use: '" + name + "': " + cause.getMessage());
        ex.initCause(cause);
        return ex;
    }

    /**
     * Waits for the next connection request and completes it.
     *
     * @return the server's end of the new connection.
     * @throws SocketTimeoutException if none came within {@link #setSoTimeout}.
     * @throws SocketException        if this server socket is closed, before or during the wait.
     */
    public ShmSocket accept() throws IOException
    {
        final int timeoutMillis = soTimeoutMillis;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true)
        {
            if (closed)
            {
                throw new SocketException("Socket is closed");
            }
            final long remaining = timeoutMillis == 0 ? CLOSE_CHECK_NANOS : deadline - System.nanoTime();
            if (remaining <= 0)
            {
                throw new SocketTimeoutException("Accept timed out");
            }
            received = null;
            requests.poll(onRequest, 1, Math.min(remaining, CLOSE_CHECK_NANOS), TimeUnit.NANOSECONDS);
            if (Thread.currentThread().isInterrupted())
            {
                throw new InterruptedIOException("accept interrupted");
            }
            final ConnectionRequest request = received;
            if (request != null)
            {
                final ShmSocket socket = complete(request);
                if (socket != null)
                {
                    return socket;
                }
            }
        }
    }

    private void onRequest(final DirectBuffer buffer, final int offset, final int length)
    {
        received = ConnectionRequest.decodeOrNull(buffer, offset, length);
    }

    /**
     * Attaches to the client's channels: the publisher of {@code .dn} first, so that when the client sees this
     * server subscribed to {@code .up} (its sign of acceptance) the stream back is already there.
     */
    private ShmSocket complete(final ConnectionRequest request)
    {
        final String up = request.name() + ConnectionRequest.UP;
        final String down = request.name() + ConnectionRequest.DOWN;
        final Path upFile = registryFile(up);
        final Path downFile = registryFile(down);
        final List<Path> files = upFile == null || downFile == null ? List.of() : List.of(upFile, downFile);
        if (files.isEmpty() || !ProcessToken.isAlive(request.clientToken()))
        {
            ShmSocket.deleteAll(files); // the client gave up or died before we came
            return null;
        }
        ShmPublisher out = null;
        ShmSubscriber in = null;
        try
        {
            out = (ShmPublisher)registry.publisher(down);
            in = (ShmSubscriber)registry.subscriber(up);
            final AtomicBoolean countedOut = new AtomicBoolean(); // close may race with itself on two threads
            final ShmSocket socket = new ShmSocket(out, in, null, List.of(), () ->
            {
                if (countedOut.compareAndSet(false, true))
                {
                    header.getAndAddLong(SERVER_CONNECTIONS_OFFSET, -1);
                }
            });
            header.getAndAddLong(SERVER_CONNECTIONS_OFFSET, 1);
            ShmSocket.deleteAll(files);
            return socket;
        }
        catch (final RuntimeException gone)
        {
            if (out != null)
            {
                out.close();
            }
            if (in != null)
            {
                in.close();
            }
            ShmSocket.deleteAll(files);
            return null;
        }
    }

    private Path registryFile(final String channel)
    {
        try
        {
            return registry.lookup(channel).map(ChannelInfo::file).orElse(null);
        }
        catch (final RuntimeException unreadable)
        {
            return null;
        }
    }

    /**
     * Bounds each {@link #accept()}.
     *
     * @param millis the longest wait, after which accept throws {@link SocketTimeoutException}; 0 for none.
     */
    public void setSoTimeout(final int millis)
    {
        soTimeoutMillis = ShmSocket.checkedTimeout(millis);
    }

    /**
     * @return the accept timeout in milliseconds, 0 for none.
     */
    public int getSoTimeout()
    {
        return soTimeoutMillis;
    }

    /**
     * @return the name clients connect to.
     */
    public String name()
    {
        return name;
    }

    /**
     * How many connections the server socket of a channel has accepted and not yet closed, as {@code shmlink list}
     * and {@code stat} show it; reads the channel's file.
     *
     * @param channel a channel's description, from {@link ChannelRegistry#lookup} or {@link ChannelRegistry#list}.
     * @return empty if the channel is not a server socket's (its subscriber is not a server socket, or it has
     *         none); else the live connections, 0 when the server is closed or dead.
     */
    public static OptionalLong liveConnections(final ChannelInfo channel)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(RING_OFFSET).order(ByteOrder.nativeOrder());
        // never a plain open for reading: a FIFO swapped in under the channel's name would block for ever
        try (FileChannel file = RegularFiles.open(channel.file()))
        {
            RegularFiles.readFully(file, bytes);
        }
        catch (final IOException ex)
        {
            return OptionalLong.empty(); // deleted or replaced meanwhile: nothing to show
        }
        final UnsafeBuffer read = new UnsafeBuffer(bytes);
        if (bytes.position() < RING_OFFSET || read.getLong(MAGIC_OFFSET) != SegmentDescriptor.MAGIC ||
            read.getInt(SUBSCRIBER_ROLE_OFFSET) != SUBSCRIBER_ROLE_SERVER_SOCKET || channel.subscriber() == null)
        {
            return OptionalLong.empty();
        }
        return OptionalLong.of(channel.subscriber().alive() ? Math.max(0, read.getLong(SERVER_CONNECTIONS_OFFSET)) : 0);
    }

    /**
     * Stops listening and deletes the request channel: clients that have not been accepted see their connection
     * reset; accepted connections live on.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            requests.close();
            registry.delete(name);
        }
    }
}
