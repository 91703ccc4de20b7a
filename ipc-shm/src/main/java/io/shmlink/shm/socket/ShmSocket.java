package io.shmlink.shm.socket;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.ChannelRegistry;
import io.shmlink.api.PartyInfo;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.liveness.ProcessToken;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One end of a stream connection over shared memory, used like {@code java.net.Socket}: blocking reads that
 * return what is there (at least one byte), {@code -1} after the peer's {@link #shutdownOutput()} or close,
 * {@link SocketTimeoutException} after {@link #setSoTimeout}, and a {@link SocketException} ("Connection reset")
 * within about 100 ms once the peer process dies. Writes block while the peer's ring is full.
 * <p>
 * A connection is two SPSC channels of {@link #CHANNEL_CAPACITY} bytes. A reader waits as its registry's
 * {@link io.shmlink.shm.wait.ReaderWait} says: by default it sleeps in the kernel, so an idle connection costs no
 * CPU. Like a socket, one thread may read while another writes; {@link #close()} may come from any thread.
 * <p>
 * The registry must be a {@link io.shmlink.shm.ShmRegistry}.
 */
public final class ShmSocket implements Closeable
{
    /** Each direction's ring: 1 MiB, so a 64 KiB write never waits for a reader that keeps up. */
    public static final int CHANNEL_CAPACITY = 1 << 20;

    /**
     * How long a blocked read or write waits before it looks at the peer's liveness again: with the liveness
     * thread's 100 ms, the bound on noticing a dead peer.
     */
    static final long PEER_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final AtomicInteger NEXT_CONNECTION = new AtomicInteger();
    private static final long CONNECT_RETRY_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** What became of the process at the other end. */
    enum PeerState
    {
        ALIVE, CLOSED, DEAD
    }

    private final ShmPublisher out;
    private final ShmSubscriber in;
    private final List<Path> namedFiles;
    /** Run once by the first close: an accepted socket counts itself out of its server's connections. */
    private final Runnable onClose;
    private final StreamReceiver receiver;
    private final StreamSender sender;
    private final InputStream inputStream = new SocketInputStream();
    private final OutputStream outputStream = new SocketOutputStream();
    private final ByteChannel channel = new SocketByteChannel();

    /** Client side, until the server has attached: the server socket's channel, whose subscriber is the server. */
    private volatile ShmPublisher pendingServer;
    private volatile boolean closed;
    private volatile boolean outputShutdown;
    private volatile int soTimeoutMillis;

    ShmSocket(final ShmPublisher out, final ShmSubscriber in, final ShmPublisher pendingServer,
        final List<Path> namedFiles)
    {
        this(out, in, pendingServer, namedFiles, () -> {});
    }

    ShmSocket(final ShmPublisher out, final ShmSubscriber in, final ShmPublisher pendingServer,
        final List<Path> namedFiles, final Runnable onClose)
    {
        this.onClose = onClose;
        this.out = out;
        this.in = in;
        this.pendingServer = pendingServer;
        this.namedFiles = namedFiles;
        this.receiver = new StreamReceiver(this, in, maxMessageLength(in));
        this.sender = new StreamSender(this, out);
    }

    private static int maxMessageLength(final ShmSubscriber in)
    {
        return in.channelInfo().maxMessageLength();
    }

    /**
     * Connects to a server socket, waiting without limit while the server's request channel is full.
     *
     * @param registry the registry the server socket is bound in.
     * @param name     the server socket's name.
     * @return the connected socket; the server's {@code accept} may come later, as with a listen backlog.
     * @throws ConnectException if no live server socket has that name.
     * @throws IOException      if the connection's channels cannot be made.
     */
    public static ShmSocket connect(final ChannelRegistry registry, final String name) throws IOException
    {
        return connect(registry, name, 0);
    }

    /**
     * Connects to a server socket.
     *
     * @param registry      the registry the server socket is bound in.
     * @param name          the server socket's name.
     * @param timeoutMillis the longest wait for room in the server's request channel; 0 waits without limit.
     * @return the connected socket; the server's {@code accept} may come later, as with a listen backlog.
     * @throws ConnectException       if no live server socket has that name.
     * @throws SocketTimeoutException if the server's request channel stayed full for the timeout.
     * @throws IOException            if the connection's channels cannot be made.
     */
    public static ShmSocket connect(final ChannelRegistry registry, final String name, final int timeoutMillis)
        throws IOException
    {
        Objects.requireNonNull(registry, "registry");
        checkedTimeout(timeoutMillis);
        final ShmPublisher server = serverOrRefuse(registry, name);
        final String connection = "s" + ProcessHandle.current().pid() + "-" + NEXT_CONNECTION.incrementAndGet() +
            "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        final String up = connection + ConnectionRequest.UP;
        final String down = connection + ConnectionRequest.DOWN;
        ShmPublisher out = null;
        ShmSubscriber in = null;
        List<Path> files = List.of();
        try
        {
            final ChannelInfo upInfo = registry.create(up, ChannelConfig.spsc(CHANNEL_CAPACITY));
            files = List.of(upInfo.file());
            final ChannelInfo downInfo = registry.create(down, ChannelConfig.spsc(CHANNEL_CAPACITY));
            files = List.of(upInfo.file(), downInfo.file());
            out = (ShmPublisher)registry.publisher(up);
            in = (ShmSubscriber)registry.subscriber(down);
            final ShmSocket socket = new ShmSocket(out, in, server, files);
            sendRequest(server, new ConnectionRequest(ProcessToken.SELF, connection), name, timeoutMillis);
            return socket;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeAll(out, in, server);
            deleteAll(files);
            if (ex instanceof IOException)
            {
                throw (IOException)ex;
            }
            throw new ConnectException("cannot connect to '" + name + "': " + ex.getMessage());
        }
    }

    private static ShmPublisher serverOrRefuse(final ChannelRegistry registry, final String name)
        throws ConnectException
    {
        final ShmPublisher server;
        try
        {
            final ChannelInfo info = registry.lookup(name).orElseThrow(
                () -> new ConnectException("Connection refused: no server socket '" + name + "' is bound"));
            if (info.mode() != ChannelMode.MPSC)
            {
                throw new ConnectException("Connection refused: '" + name + "' is a channel, not a server socket");
            }
            final PartyInfo listener = info.subscriber();
            if (listener == null || !listener.alive())
            {
                throw new ConnectException("Connection refused: server socket '" + name + "' is not listening");
            }
            server = (ShmPublisher)registry.publisher(name);
        }
        catch (final ShmLinkException | ClassCastException ex)
        {
            final ConnectException refused = new ConnectException(
                "Connection refused: '" + name + "' is not a server socket: " + ex.getMessage());
            refused.initCause(ex);
            throw refused;
        }
        return server;
    }

    private static void sendRequest(final ShmPublisher server, final ConnectionRequest request, final String name,
        final int timeoutMillis) throws IOException
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[ConnectionRequest.MAX_LENGTH]);
        final int length = request.encode(message);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true)
        {
            final long result = server.offer(message, 0, length);
            if (result > 0)
            {
                return;
            }
            if (result != Publisher.BACK_PRESSURED)
            {
                throw new ConnectException("Connection refused: server socket '" + name + "' closed");
            }
            if (timeoutMillis > 0 && System.nanoTime() - deadline >= 0)
            {
                throw new SocketTimeoutException("connect timed out: server socket '" + name + "' is not accepting");
            }
            LockSupport.parkNanos(CONNECT_RETRY_PARK_NANOS);
        }
    }

    /**
     * The bytes the peer sends.
     *
     * @return the same stream on every call.
     */
    public InputStream getInputStream()
    {
        return inputStream;
    }

    /**
     * Where bytes for the peer go.
     *
     * @return the same stream on every call.
     */
    public OutputStream getOutputStream()
    {
        return outputStream;
    }

    /**
     * The connection as a blocking {@link ByteChannel}, sharing the streams' state.
     *
     * @return the same channel on every call.
     */
    public ByteChannel channel()
    {
        return channel;
    }

    /**
     * Ends this side's stream: the peer reads what was written, then {@code -1}. Reading goes on.
     *
     * @throws IOException if the socket is closed or the peer is gone.
     */
    public void shutdownOutput() throws IOException
    {
        checkWritable();
        sender.sendEndOfStream();
        outputShutdown = true;
    }

    /**
     * Bounds each blocking read.
     *
     * @param millis the longest wait of a read, after which it throws {@link SocketTimeoutException}; 0 for none.
     */
    public void setSoTimeout(final int millis)
    {
        soTimeoutMillis = checkedTimeout(millis);
    }

    /**
     * @return the read timeout in milliseconds, 0 for none.
     */
    public int getSoTimeout()
    {
        return soTimeoutMillis;
    }

    /**
     * The rule for every timeout the socket classes take: 0 for no limit, else the longest wait in milliseconds.
     *
     * @param millis a timeout.
     * @return {@code millis}.
     * @throws IllegalArgumentException if it is negative.
     */
    static int checkedTimeout(final int millis)
    {
        if (millis < 0)
        {
            throw new IllegalArgumentException("timeout must be >= 0: " + millis);
        }
        return millis;
    }

    /**
     * Whether this socket was connected and is not closed (as {@code java.net.Socket}, this says nothing of the
     * peer: a dead peer shows as an exception on the next read or write).
     *
     * @return true until {@link #close()}.
     */
    public boolean isConnected()
    {
        return !closed;
    }

    /**
     * Closes both directions and the connection's channels. The peer reads what was sent, then {@code -1}; its
     * writes fail. Blocked reads and writes of this socket end with a {@link SocketException}.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (!outputShutdown)
        {
            outputShutdown = true;
            sender.tryEndOfStream(); // as a socket's close sends FIN: the peer's read ends now, not at its next check
        }
        closed = true;
        closeAll(out, in, pendingServer);
        deleteAll(namedFiles);
        onClose.run();
    }

    void checkReadable() throws SocketException
    {
        if (closed)
        {
            throw new SocketException("Socket closed");
        }
    }

    void checkWritable() throws SocketException
    {
        if (closed)
        {
            throw new SocketException("Socket closed");
        }
        if (outputShutdown)
        {
            throw new SocketException("Socket output is shutdown");
        }
    }

    /**
     * What became of the peer, as the registry's liveness thread last saw it (every 100 ms by default).
     */
    PeerState peerState()
    {
        final ShmPublisher server = pendingServer;
        if (server != null)
        {
            if (!out.hadSubscriber())
            {
                return server.isConnected() ? PeerState.ALIVE : PeerState.DEAD; // listener died or closed
            }
            pendingServer = null; // accepted: the server subscribes to our outgoing channel
            server.close();
        }
        switch (in.publishers()) // allocation-free: the liveness thread has read /proc already
        {
            case ATTACHED:
                return PeerState.ALIVE;
            case DEAD:
                return PeerState.DEAD;
            default:
                return PeerState.CLOSED;
        }
    }

    private static void closeAll(final AutoCloseable... parties)
    {
        for (final AutoCloseable party : parties)
        {
            if (party != null)
            {
                try
                {
                    party.close();
                }
                catch (final Exception ignored)
                {
                    // closing what a failed or finished connection held: nothing more to do
                }
            }
        }
    }

    /** A SocketException with a cause (its two-argument constructor is newer than Java 17). */
    static SocketException failure(final String message, final Throwable cause)
    {
        final SocketException ex = new SocketException(message);
        ex.initCause(cause);
        return ex;
    }

    static void deleteAll(final List<Path> files)
    {
        for (final Path file : files)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignored)
            {
                // left to cleanStale: both parties are gone, so the channel is stale
            }
        }
    }

    private final class SocketInputStream extends InputStream
    {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException
        {
            final int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException
        {
            Objects.checkFromIndexSize(off, len, b.length);
            checkReadable();
            return receiver.read(b, off, len, soTimeoutMillis);
        }

        @Override
        public int available() throws IOException
        {
            checkReadable();
            return receiver.available();
        }

        @Override
        public void close()
        {
            ShmSocket.this.close();
        }
    }

    private final class SocketOutputStream extends OutputStream
    {
        private final byte[] one = new byte[1];

        @Override
        public void write(final int b) throws IOException
        {
            one[0] = (byte)b;
            write(one, 0, 1);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            Objects.checkFromIndexSize(off, len, b.length);
            checkWritable();
            sender.write(b, off, len);
        }

        @Override
        public void close()
        {
            ShmSocket.this.close();
        }
    }

    private final class SocketByteChannel implements ByteChannel
    {
        @Override
        public int read(final ByteBuffer destination) throws IOException
        {
            if (closed)
            {
                throw new ClosedChannelException();
            }
            return receiver.read(destination, soTimeoutMillis);
        }

        @Override
        public int write(final ByteBuffer source) throws IOException
        {
            if (closed)
            {
                throw new ClosedChannelException();
            }
            checkWritable();
            return sender.write(source);
        }

        @Override
        public boolean isOpen()
        {
            return !closed;
        }

        @Override
        public void close()
        {
            ShmSocket.this.close();
        }
    }
}
