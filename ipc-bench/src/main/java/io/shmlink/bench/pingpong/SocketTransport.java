package io.shmlink.bench.pingpong;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One blocking stream-socket connection: {@code uds}, a Unix-domain socket (JDK 16+) whose file is in the
 * transport's directory, or {@code tcp}, over loopback 127.0.0.1 only, with {@code TCP_NODELAY} on both ends and an
 * ephemeral port that the child reads from a file in the transport's directory.
 * <p>
 * Both sides block in {@code read}: a round trip costs four system calls and two wake-ups of a sleeping thread,
 * which is what a typical socket user pays, and is the point of comparing with the rings. (A non-blocking reader
 * spinning on {@code read} would save the wake-ups and burn a core, like the rings.) Every message is written and
 * read whole, exactly the message length, looping on partial writes and reads, through direct buffers allocated up
 * front: a heap buffer would make the JDK copy through a cached temporary direct buffer.
 * <p>
 * <b>Switching transports.</b> A blocked echo never looks at the {@link EchoControl} word, so
 * {@link Pinger#release()} sends it one message carrying sequence {@value #RELEASE}, which no ping carries; the
 * echo then looks, and returns. At the end of a run the parent closes its end; the echo reads end-of-stream and
 * waits for the control word to say STOP, which the parent wrote first.
 * <p>
 * <b>A stuck child.</b> A pinger blocked in {@code read} cannot consult its {@link PeerWatch}. A child that dies
 * closes its end, and the read returns end-of-stream; for a child that hangs with the socket open, a watchdog
 * thread per pinger, asleep but for a check every second, closes the channel once a single call has lasted about
 * {@value #STUCK_SECONDS} s, which fails the blocked read.
 */
public final class SocketTransport extends NamedTransport
{
    /** The two kinds of socket. */
    public enum Family
    {
        /** A Unix-domain stream socket. */
        UNIX,
        /** TCP over IPv4 loopback. */
        TCP
    }

    /** The sequence number of {@link Pinger#release()}'s wake-up message: sequences start at 1. */
    static final long RELEASE = 0;

    /** The socket file of {@code uds}, in the transport's directory (so within {@code sun_path}'s 108 bytes). */
    static final String SOCKET_FILE = "socket";

    /** Where the parent writes the port of {@code tcp} for the child. */
    static final String PORT_FILE = "port";

    private static final long STUCK_SECONDS = 10;
    private static final int SINK_BUFFER_BYTES = 64 * 1024;

    private final Family family;
    private ServerSocketChannel server;

    /**
     * A socket transport; {@link Transports} makes the two built-in ones.
     *
     * @param family the kind of socket.
     */
    public SocketTransport(final Family family)
    {
        super(family == Family.UNIX ? "uds" : "tcp", ThroughputModes.STREAM);
        this.family = family;
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return (family == Family.UNIX ? "Unix-domain stream socket" : "TCP over 127.0.0.1, TCP_NODELAY") +
            ", one connection, blocking SocketChannel reads and writes of " + link.messageLength() + " bytes";
    }

    @Override
    public void create(final LinkSpec link) throws IOException
    {
        // Bound before the child starts, so its connect cannot come first; a backlog of 1: one connection.
        if (family == Family.UNIX)
        {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(link.directory().resolve(SOCKET_FILE)), 1);
        }
        else
        {
            server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(loopback(), 0), 1);
            final int port = ((InetSocketAddress)server.getLocalAddress()).getPort();
            Files.writeString(link.directory().resolve(PORT_FILE), Integer.toString(port), StandardCharsets.US_ASCII);
        }
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch) throws IOException
    {
        // The child connected before it printed READY, so its connection waits in the backlog. Accepting without
        // blocking, under the watch, turns a connection that never comes into a failure rather than a hang.
        server.configureBlocking(false);
        SocketChannel channel;
        long spins = 0;
        while ((channel = server.accept()) == null)
        {
            spins = PeerWatch.spin(watch, spins, 0);
        }
        server.close();
        server = null;
        try
        {
            // accept() returns a blocking channel whatever the server's mode; said again for the reader.
            channel.configureBlocking(true);
            if (family == Family.TCP)
            {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            return new SocketPinger(name(), channel, link.messageLength());
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    @Override
    public Echo openEcho(final LinkSpec link) throws IOException
    {
        final SocketChannel channel;
        if (family == Family.UNIX)
        {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(link.directory().resolve(SOCKET_FILE)));
        }
        else
        {
            final int port = Integer.parseInt(
                Files.readString(link.directory().resolve(PORT_FILE), StandardCharsets.US_ASCII).trim());
            channel = SocketChannel.open(StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress(loopback(), port));
        }
        return new SocketEcho(channel, link.messageLength());
    }

    /**
     * Closes the listening socket if no pinger took the connection (a run that failed before).
     */
    @Override
    public void close()
    {
        CloseHelper.quietClose(server);
        server = null;
    }

    private static InetAddress loopback() throws IOException
    {
        // Spelled out rather than InetAddress.getLoopbackAddress(), which may answer ::1.
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    /** A pinger over any blocking byte channel: a JDK socket here, a ShmLink socket in {@link ShmSocketTransport}. */
    static final class SocketPinger implements Pinger
    {
        private final String name;
        private final ByteChannel channel;
        private final ByteBuffer out;
        private final ByteBuffer in;
        private final UnsafeBuffer inView;
        private final int messageLength;
        private final Acknowledgement acknowledgement = new Acknowledgement();
        private Payload payload;
        private final Thread watchdog;
        /** Odd while a call is under way; written opaque (a plain store on x86), read by the watchdog. */
        private final AtomicLong calls = new AtomicLong();
        private volatile String stuck;
        private volatile boolean closed;

        SocketPinger(final String name, final ByteChannel channel, final int messageLength)
        {
            this.name = name;
            this.channel = channel;
            this.out = ByteBuffer.allocateDirect(messageLength);
            this.in = ByteBuffer.allocateDirect(messageLength);
            this.inView = new UnsafeBuffer(in);
            this.messageLength = messageLength;
            this.watchdog = new Thread(this::watch, name + "-pinger-watchdog");
            this.watchdog.setDaemon(true);
            this.watchdog.start();
        }

        @Override
        public long roundTrip(final long sequence)
        {
            enter();
            out.putLong(0, sequence);
            send();
            receive();
            leave();
            return in.getLong(0);
        }

        @Override
        public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
        {
            if (mode != SendMode.OFFER)
            {
                throw new UnsupportedOperationException(name + " sends by write only");
            }
            payload = Payload.orNew(payload, messageLength);
            enter();
            final int last = count - 1;
            for (int i = 0; i < count; i++)
            {
                final ByteBuffer source = payload.stamp(firstSequence + i, i == last).byteBuffer();
                source.limit(messageLength).position(0);
                send(source);
                progress();
            }
            receive();
            leave();
            return acknowledgement.read(inView, 0);
        }

        @Override
        public void release()
        {
            enter();
            out.putLong(0, RELEASE);
            send();
            leave();
        }

        private void enter()
        {
            calls.setOpaque(calls.getPlain() + 1);
        }

        private void leave()
        {
            calls.setOpaque(calls.getPlain() + 1);
        }

        /** Within a long call (a burst): still odd, but changed, so the watchdog sees it move. */
        private void progress()
        {
            calls.setOpaque(calls.getPlain() + 2);
        }

        private void send()
        {
            out.clear();
            send(out);
        }

        private void send(final ByteBuffer buffer)
        {
            try
            {
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
            }
            catch (final IOException ex)
            {
                throw failure("write", ex);
            }
        }

        private void receive()
        {
            in.clear();
            try
            {
                while (in.hasRemaining())
                {
                    if (channel.read(in) < 0)
                    {
                        throw new IllegalStateException(
                            "the echo side closed the connection (has the echo child exited?)");
                    }
                }
            }
            catch (final IOException ex)
            {
                throw failure("read", ex);
            }
        }

        private IllegalStateException failure(final String operation, final IOException ex)
        {
            final String reason = stuck;
            return new IllegalStateException(reason != null ? reason : "socket " + operation + " failed: " + ex, ex);
        }

        /**
         * The watchdog's loop: a call is stuck when the call count is odd and unchanged over STUCK_SECONDS checks
         * a second apart.
         */
        private void watch()
        {
            long seen = -1;
            int unchanged = 0;
            while (!closed)
            {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                final long now = calls.getOpaque();
                unchanged = (now & 1) != 0 && now == seen ? unchanged + 1 : 0;
                seen = now;
                if (unchanged >= STUCK_SECONDS && !closed)
                {
                    stuck = "no answer from the echo side for " + STUCK_SECONDS + " s on " + name +
                        "; closed the connection";
                    closeChannel();
                    return;
                }
            }
        }

        private void closeChannel()
        {
            // Also fails a read blocked in another thread, with AsynchronousCloseException.
            CloseHelper.quietClose(channel);
        }

        @Override
        public void close()
        {
            closed = true;
            LockSupport.unpark(watchdog);
            closeChannel();
        }
    }

    /** An echo over any blocking byte channel. */
    static final class SocketEcho implements Echo
    {
        private final ByteChannel channel;
        private final int messageLength;
        private final ByteBuffer message;
        private final ByteBuffer batch;
        private final UnsafeBuffer batchView;
        private BurstSink burstSink;

        SocketEcho(final ByteChannel channel, final int messageLength)
        {
            this.channel = channel;
            this.messageLength = messageLength;
            this.message = ByteBuffer.allocateDirect(messageLength);
            // Whole messages only, so that a full buffer never ends inside one.
            this.batch = ByteBuffer.allocateDirect(messageLength * Math.max(1, SINK_BUFFER_BYTES / messageLength));
            this.batchView = new UnsafeBuffer(batch);
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                message.clear();
                while (message.hasRemaining())
                {
                    if (read(message) < 0)
                    {
                        awaitInactive(control, index);
                        return;
                    }
                }
                if (message.getLong(0) == RELEASE)
                {
                    if (!control.isActive(index))
                    {
                        return;
                    }
                    continue;
                }
                message.flip();
                write(message);
            }
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            // The read copied the bytes out of the kernel into the batch: fold them there, without a second copy.
            burstSink = BurstSink.inMode(burstSink, messageLength, SinkMode.IN_PLACE);
            while (true)
            {
                // As many whole messages as have arrived: a socket reader reads in bulk and splits, and the sender
                // pays one write per message, as a ring's publisher pays one offer.
                batch.clear();
                do
                {
                    if (read(batch) < 0)
                    {
                        awaitInactive(control, index);
                        return;
                    }
                }
                while (batch.position() % messageLength != 0);
                final int end = batch.position();
                for (int offset = 0; offset < end; offset += messageLength)
                {
                    final long value = batch.getLong(offset);
                    if (value == RELEASE)
                    {
                        // Sent only with nothing else in flight, so nothing follows it in the batch.
                        if (!control.isActive(index))
                        {
                            return;
                        }
                    }
                    else if (burstSink.onMessage(batchView, offset, messageLength))
                    {
                        final ByteBuffer acknowledgement = burstSink.acknowledgement().byteBuffer();
                        acknowledgement.limit(messageLength).position(0);
                        write(acknowledgement);
                    }
                }
            }
        }

        /**
         * End-of-stream: the parent closed its end, after writing STOP, or it died and the child's stdin watcher is
         * writing STOP. Either way the control word is about to change.
         */
        private static void awaitInactive(final EchoControl control, final int index)
        {
            while (control.isActive(index))
            {
                Thread.onSpinWait();
            }
        }

        private int read(final ByteBuffer buffer)
        {
            try
            {
                return channel.read(buffer);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("echo read", ex);
            }
        }

        private void write(final ByteBuffer buffer)
        {
            try
            {
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("echo write", ex);
            }
        }

        @Override
        public void close()
        {
            // the parent may have gone already
            CloseHelper.quietCloseAll(channel, burstSink);
        }
    }
}
