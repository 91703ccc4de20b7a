package io.shmlink.shm.socket;

import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.SocketPeerMain;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sockets between real JVMs: a gigabyte streamed with a running checksum, half-close, 32 concurrent echoing
 * connections, and a peer killed with kill -9 seen as a reset on read and on write within a second.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrossProcessSocketTest
{
    private static final long GIBIBYTE = 1L << 30;
    private static final long RESET_BOUND_NANOS = TimeUnit.SECONDS.toNanos(1);

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("xsocket");

    @Test
    void aGibibyteStreamedFromAnotherJvmArrivesWithItsChecksumThenTheReplyAfterHalfClose() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ChildJvm client = ChildJvm.start(SocketPeerMain.class, shm.directory().toString(), "svc", "send",
                Long.toString(GIBIBYTE), "42"))
        {
            client.awaitLine("CONNECTED");
            final CRC32C crc = new CRC32C();
            final Random readSizes = new Random(7);
            final byte[] buffer = new byte[256 * 1024];
            long received = 0;
            try (ShmSocket socket = server.accept())
            {
                final InputStream in = socket.getInputStream();
                int read;
                while ((read = in.read(buffer, 0, 1 + readSizes.nextInt(buffer.length))) >= 0)
                {
                    crc.update(buffer, 0, read);
                    received += read;
                }
                assertEquals(GIBIBYTE, received, "bytes before end of stream");
                assertEquals("SENT " + crc.getValue(), client.awaitLine("SENT"), "running CRC32C of the stream");

                final byte[] reply = new byte[100_000];
                new Random(8).nextBytes(reply);
                socket.getOutputStream().write(reply); // the client shut its output down but still reads
                socket.shutdownOutput();
                final CRC32C replyCrc = new CRC32C();
                replyCrc.update(reply);
                assertEquals("REPLY " + reply.length + " " + replyCrc.getValue(), client.awaitLine("REPLY"));
            }
            assertEquals(0, client.waitFor(30));
        }
        assertEquals(List.of(), SocketFiles.in(shm.directory()), "nothing left once both ends closed");
    }

    @Test
    void thirtyTwoConcurrentConnectionsEchoEveryByte() throws Exception
    {
        final int connections = 32;
        try (ChildJvm server = ChildJvm.start(SocketPeerMain.class, shm.directory().toString(), "echo", "echo-server",
            Integer.toString(connections)))
        {
            server.awaitLine("BOUND");
            final ExecutorService pool = Executors.newFixedThreadPool(connections);
            try
            {
                final List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < connections; i++)
                {
                    final int seed = i;
                    results.add(pool.submit(() -> echoOnce(seed)));
                }
                for (final Future<?> result : results)
                {
                    result.get(120, TimeUnit.SECONDS);
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            assertEquals(0, server.waitFor(30));
        }
        assertEquals(List.of(), SocketFiles.in(shm.directory()));
    }

    private Void echoOnce(final int seed) throws IOException
    {
        final byte[] sent = new byte[256 * 1024 + seed];
        new Random(seed).nextBytes(sent);
        try (ShmSocket socket = ShmSocket.connect(shm.registry(), "echo"))
        {
            final CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> SocketFiles.readAll(socket));
            final OutputStream out = socket.getOutputStream();
            for (int offset = 0; offset < sent.length; offset += 1000)
            {
                out.write(sent, offset, Math.min(1000, sent.length - offset));
            }
            socket.shutdownOutput();
            final byte[] received = echoed.join();
            assertEquals(sent.length, received.length, "connection " + seed);
            assertTrue(Arrays.equals(sent, received), "connection " + seed + " echoed different bytes");
        }
        return null;
    }

    /** Kills the peer while a read waits on {@code socket}: that read and the next write fail within the bound. */
    private static void assertKillingIsAResetOnReadAndOnWriteWithinASecond(final ChildJvm peer, final ShmSocket socket)
        throws Exception
    {
        final CompletableFuture<Long> readFailedAt = CompletableFuture.supplyAsync(() -> failedReadAt(socket));
        peer.kill();
        final long killedAt = System.nanoTime();
        final long writeFailedAt = failedWriteAt(socket);
        assertTrue(writeFailedAt - killedAt < RESET_BOUND_NANOS,
            "write reset after " + (writeFailedAt - killedAt) / 1_000_000 + " ms");
        final long readFailed = readFailedAt.get(10, TimeUnit.SECONDS);
        assertTrue(readFailed - killedAt < RESET_BOUND_NANOS,
            "read reset after " + (readFailed - killedAt) / 1_000_000 + " ms");
    }

    @Test
    void aKilledClientIsAResetOnReadAndOnWriteWithinASecond() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ChildJvm client = ChildJvm.start(SocketPeerMain.class, shm.directory().toString(), "svc", "hold-client"))
        {
            client.awaitLine("CONNECTED");
            try (ShmSocket socket = server.accept())
            {
                assertEquals(1, socket.getInputStream().read());
                assertKillingIsAResetOnReadAndOnWriteWithinASecond(client, socket);
            }
        }
        shm.registry().cleanStale();
        assertEquals(List.of(), SocketFiles.in(shm.directory()), "the dead client's doorbell and channels are gone");
    }

    @Test
    void aKilledServerIsAResetOnReadAndOnWriteWithinASecond() throws Exception
    {
        try (ChildJvm server = holdingServer(); ShmSocket socket = connectedTo(server))
        {
            assertKillingIsAResetOnReadAndOnWriteWithinASecond(server, socket);
        }
    }

    @Test
    void aReadFromASilentServerInAnotherJvmTimesOutAndTheConnectionStaysUsable() throws Exception
    {
        try (ChildJvm server = holdingServer(); ShmSocket socket = connectedTo(server))
        {
            socket.setSoTimeout(200);
            final long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
            socket.getOutputStream().write(new byte[] {1, 2, 3}); // a timeout is not a failure of the connection
        }
    }

    @Test
    void connectingToAServerWhoseJvmDiedIsRefused() throws Exception
    {
        try (ChildJvm server = holdingServer())
        {
            server.kill();
        }
        final long start = System.nanoTime();
        assertThrows(java.net.ConnectException.class, () -> ShmSocket.connect(shm.registry(), "svc"));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "refused at once");
    }

    /** A child JVM whose server socket {@code svc} is bound and holds every connection open without a word. */
    private ChildJvm holdingServer() throws Exception
    {
        final ChildJvm server = ChildJvm.start(SocketPeerMain.class, shm.directory().toString(), "svc", "hold-server");
        return onceSaid(server, "BOUND", server);
    }

    /** A connection to the {@link #holdingServer()}, once the server has accepted it. */
    private ShmSocket connectedTo(final ChildJvm server) throws Exception
    {
        return onceSaid(server, "ACCEPTED", ShmSocket.connect(shm.registry(), "svc"));
    }

    /** Returns {@code resource} once {@code child} has printed {@code line}; closes it if the child ends first. */
    private static <T extends AutoCloseable> T onceSaid(final ChildJvm child, final String line, final T resource)
        throws Exception
    {
        try
        {
            child.awaitLine(line);
            return resource;
        }
        catch (final Exception ex)
        {
            resource.close();
            throw ex;
        }
    }

    /** Blocks in a read until it fails; returns when. Any data or end of stream is a test failure. */
    private static long failedReadAt(final ShmSocket socket)
    {
        try
        {
            final int read = socket.getInputStream().read();
            throw new AssertionError("read returned " + read + " from a killed peer");
        }
        catch (final SocketException expected)
        {
            return System.nanoTime();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("not a SocketException", ex);
        }
    }

    /** Writes until a write fails; the first ring fills within a few writes, then the writer blocks. */
    private static long failedWriteAt(final ShmSocket socket)
    {
        final byte[] chunk = new byte[64 * 1024];
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try
        {
            while (System.nanoTime() < deadline)
            {
                socket.getOutputStream().write(chunk);
            }
            throw new AssertionError("writes to a killed peer kept succeeding for 10 s");
        }
        catch (final SocketException expected)
        {
            return System.nanoTime();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("not a SocketException", ex);
        }
    }
}
