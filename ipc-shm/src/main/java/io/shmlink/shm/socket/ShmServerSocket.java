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
import org.agrona.DirectBuffer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

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
    private final MessageHandler onRequest = this::onRequest;
    private ConnectionRequest received;
    private volatile int soTimeoutMillis;
    private volatile boolean closed;

    private ShmServerSocket(final ChannelRegistry registry, final String name, final ShmSubscriber requests)
    {
        this.registry = registry;
        this.name = name;
        this.requests = requests;
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
            return new ShmServerSocket(registry, name, (ShmSubscriber)registry.subscriber(name));
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
            final ShmSocket socket = new ShmSocket(out, in, null, List.of());
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
        if (millis < 0)
        {
            throw new IllegalArgumentException("timeout must be >= 0: " + millis);
        }
        soTimeoutMillis = millis;
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
