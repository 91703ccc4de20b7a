package io.shmlink.bench.pingpong;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmServerSocket;
import io.shmlink.shm.socket.ShmSocket;
import io.shmlink.shm.wait.ReaderWait;

import java.io.IOException;

/**
 * {@code shmlink-socket}: one ShmLink stream connection ({@link ShmSocket}) driven exactly as {@code uds} and
 * {@code tcp} drive a JDK socket (the same pinger and echo, through {@link ShmSocket#channel()}), so the three
 * differ only in the transport underneath. Readers busy-spin ({@link ReaderWait#busySpin()}): this measures the
 * stream layer's cost over the rings, not a kernel wake-up. {@code shmlink-socket-blocking} is the same with
 * ShmLink's default {@link ReaderWait#blocking()}: a reader that found nothing spins briefly, then sleeps until the
 * writer rings, as a socket reader sleeps in {@code read}; {@code io.shmlink.bench.wakeup.WakeupLatency} measures
 * that wake-up after a long idle time.
 * <p>
 * The parent binds in {@link #create} (before the child starts), the child connects in {@link #openEcho}, and the
 * parent accepts in {@link #openPinger}; the child's connection request waits in the server socket's channel.
 */
public class ShmSocketTransport extends NamedTransport
{
    private static final String SERVER = "echo";

    private final boolean spinning;
    private ShmRegistry registry;
    private ShmServerSocket server;

    /** Needed by {@link Transports}: {@code shmlink-socket}, busy-spinning readers. */
    public ShmSocketTransport()
    {
        this(true);
    }

    ShmSocketTransport(final boolean spinning)
    {
        super(spinning ? "shmlink-socket" : "shmlink-socket-blocking", ThroughputModes.STREAM);
        this.spinning = spinning;
    }

    /**
     * {@code shmlink-socket-blocking}, named by its class name ({@code SocketRoundTrip} runs it). Not a built-in
     * transport: its readers sleep in ShmLink's doorbell, a JDK {@code Selector}, which allocates on each wake-up,
     * and the harness's transports allocate nothing in their loops.
     */
    public static final class Blocking extends ShmSocketTransport
    {
        /** Needed by {@link Transports}. */
        public Blocking()
        {
            super(false);
        }
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "ShmLink stream socket (two SPSC channels of " + ShmSocket.CHANNEL_CAPACITY / 1024 + " KiB), " +
            (spinning ? "busy-spinning" : "blocking (ShmLink's default wait)") +
            " reads, blocking ByteChannel reads and writes of " + link.messageLength() + " bytes";
    }

    @Override
    public void create(final LinkSpec link) throws IOException
    {
        registry = registry(link);
        server = ShmServerSocket.bind(registry, SERVER);
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch) throws IOException
    {
        final ShmSocket socket = server.accept(); // the child connected before it printed READY
        server.close();
        server = null;
        return new SocketTransport.SocketPinger(name(), socket.channel(), link.messageLength());
    }

    @Override
    public Echo openEcho(final LinkSpec link) throws IOException
    {
        final ShmSocket socket = ShmSocket.connect(registry(link), SERVER);
        return new SocketTransport.SocketEcho(socket.channel(), link.messageLength());
    }

    private ShmRegistry registry(final LinkSpec link)
    {
        return ShmRegistry.open(link.directory(),
            new ShmRegistry.Options().readerWait(spinning ? ReaderWait.busySpin() : ReaderWait.blocking()));
    }

    /**
     * Closes the server socket if no pinger took the connection (a run that failed before). The registry stays
     * open while the pinger lives: its liveness thread keeps this side's heartbeat.
     */
    @Override
    public void close()
    {
        if (server != null)
        {
            server.close();
            server = null;
        }
    }
}
