package io.shmlink.bench.pingpong;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmServerSocket;
import io.shmlink.shm.socket.ShmSocket;
import io.shmlink.shm.wait.ReaderWait;

import java.io.IOException;
import java.util.List;

/**
 * {@code shmlink-socket}: one ShmLink stream connection ({@link ShmSocket}) driven exactly as {@code uds} and
 * {@code tcp} drive a JDK socket (the same pinger and echo, through {@link ShmSocket#channel()}), so the three
 * differ only in the transport underneath. Readers busy-spin ({@link ReaderWait#busySpin()}): this measures the
 * stream layer's cost over the rings, not a kernel wake-up; {@code io.shmlink.bench.wakeup.WakeupLatency} measures
 * the blocking wait.
 * <p>
 * The parent binds in {@link #create} (before the child starts), the child connects in {@link #openEcho}, and the
 * parent accepts in {@link #openPinger}; the child's connection request waits in the server socket's channel.
 */
public final class ShmSocketTransport implements Transport
{
    private static final String SERVER = "echo";

    private ShmRegistry registry;
    private ShmServerSocket server;

    @Override
    public String name()
    {
        return "shmlink-socket";
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "ShmLink stream socket (two SPSC channels of " + ShmSocket.CHANNEL_CAPACITY / 1024 +
            " KiB), busy-spinning reads, blocking ByteChannel reads and writes of " + link.messageLength() + " bytes";
    }

    @Override
    public boolean supportsThroughput()
    {
        return true;
    }

    /**
     * {@inheritDoc}
     * <p>
     * {@link SinkMode#COPY_OUT} only: {@code read} copies each message into the sink's buffer, which it then folds.
     */
    @Override
    public List<SinkMode> sinkModes()
    {
        return List.of(SinkMode.COPY_OUT);
    }

    @Override
    public void create(final LinkSpec link) throws IOException
    {
        registry = spinningRegistry(link);
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
        final ShmSocket socket = ShmSocket.connect(spinningRegistry(link), SERVER);
        return new SocketTransport.SocketEcho(socket.channel(), link.messageLength());
    }

    private static ShmRegistry spinningRegistry(final LinkSpec link)
    {
        return ShmRegistry.open(link.directory(), new ShmRegistry.Options().readerWait(ReaderWait.busySpin()));
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
