package io.shmlink.shm.socket;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code java.net.Socket} semantics within one JVM: refusals, timeouts, half-close, partial reads, chunking of
 * large writes, the ByteChannel view, and a registry directory left empty.
 */
class ShmSocketTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("socket");

    @Test
    void aServerSocketsChannelSaysSoAndCountsItsLiveConnections() throws IOException
    {
        shm.registry().create("plain", ChannelConfig.mpsc(ShmServerSocket.REQUEST_CHANNEL_CAPACITY));
        shm.registry().subscriber("plain");
        assertEquals(OptionalLong.empty(),
            ShmServerSocket.liveConnections(shm.registry().lookup("plain").orElseThrow()),
            "a plain MPSC channel of the same shape is no server socket");

        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "listening"))
        {
            assertEquals(OptionalLong.of(0), connections("listening"));
            try (ShmSocket client1 = ShmSocket.connect(shm.registry(), "listening");
                ShmSocket client2 = ShmSocket.connect(shm.registry(), "listening"))
            {
                assertEquals(OptionalLong.of(0), connections("listening"), "requested, not accepted yet");
                final ShmSocket accepted1 = server.accept();
                final ShmSocket accepted2 = server.accept();
                assertEquals(OptionalLong.of(2), connections("listening"));

                accepted1.close();
                accepted1.close(); // counted out once
                assertEquals(OptionalLong.of(1), connections("listening"));
                accepted2.close();
                assertEquals(OptionalLong.of(0), connections("listening"));
            }
        }
        assertTrue(shm.registry().lookup("listening").isEmpty(), "a closed server socket deletes its channel");
    }

    private OptionalLong connections(final String name)
    {
        return ShmServerSocket.liveConnections(shm.registry().lookup(name).orElseThrow());
    }

    @Test
    void connectingToANameNobodyBoundIsRefusedAtOnce()
    {
        final long start = System.nanoTime();
        assertThrows(ConnectException.class, () -> ShmSocket.connect(shm.registry(), "nobody"));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        assertEquals(List.of(), SocketFiles.in(shm.directory()), "a refused connect leaves nothing behind");
    }

    @Test
    void connectingToAChannelThatIsNotAServerSocketIsRefused()
    {
        shm.registry().create("plain", ChannelConfig.spsc(4096));
        shm.registry().subscriber("plain");
        assertThrows(ConnectException.class, () -> ShmSocket.connect(shm.registry(), "plain"));
    }

    @Test
    void bindingANameALiveServerHoldsIsAddressInUse() throws IOException
    {
        try (ShmServerSocket ignored = ShmServerSocket.bind(shm.registry(), "svc"))
        {
            assertThrows(BindException.class, () -> ShmServerSocket.bind(shm.registry(), "svc"));
        }
    }

    @Test
    void bytesWrittenAreReadInOrderAndEndOfStreamFollowsShutdownOutput() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            client.getOutputStream().write("hello, ".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("hello, world",
                new String(accepted.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals(-1, accepted.getInputStream().read(), "end of stream stays");

            accepted.getOutputStream().write(new byte[] {1, 2, 3}); // half-closed: the other direction still works
            accepted.close();
            assertArrayEquals(new byte[] {1, 2, 3}, client.getInputStream().readAllBytes());
            assertThrows(SocketException.class, () -> client.getOutputStream().write(4), "output is shut down");
        }
        assertEquals(List.of(), SocketFiles.in(shm.directory()),
            "both ends closed: nothing left in the registry directory");
    }

    @Test
    void aReadReturnsWhatIsThereWithoutWaitingForAFullBuffer() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            client.getOutputStream().write(new byte[] {9, 8, 7});
            final byte[] buffer = new byte[100];
            assertEquals(3, accepted.getInputStream().read(buffer));
            assertArrayEquals(new byte[] {9, 8, 7}, Arrays.copyOf(buffer, 3));
        }
    }

    @Test
    void aMessageLargerThanTheReadIsReturnedAcrossSeveralReads() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            final byte[] sent = new byte[10_000];
            new Random(1).nextBytes(sent);
            client.getOutputStream().write(sent);
            final InputStream in = accepted.getInputStream();
            final byte[] received = new byte[sent.length];
            int total = 0;
            while (total < sent.length)
            {
                final int read = in.read(received, total, Math.min(7, sent.length - total));
                assertTrue(read > 0 && read <= 7, "read " + read);
                total += read;
            }
            assertArrayEquals(sent, received);
        }
    }

    @Test
    void aWriteLargerThanTheRingIsSplitAndArrivesWhole() throws Exception
    {
        final byte[] sent = new byte[3 * ShmSocket.CHANNEL_CAPACITY + 12_345];
        new Random(2).nextBytes(sent);
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            final CompletableFuture<byte[]> received =
                CompletableFuture.supplyAsync(() -> SocketFiles.readAll(accepted));
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            assertArrayEquals(sent, received.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aReadWithNothingToReadTimesOutAndTheSocketStaysUsable() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            accepted.setSoTimeout(50);
            final long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> accepted.getInputStream().read());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            client.getOutputStream().write(5);
            assertEquals(5, accepted.getInputStream().read());
        }
    }

    @Test
    void acceptWithNobodyConnectingTimesOut() throws IOException
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc"))
        {
            server.setSoTimeout(50);
            assertThrows(SocketTimeoutException.class, server::accept);
        }
    }

    /** A blocking socket call. */
    private interface BlockingCall
    {
        void call() throws IOException;
    }

    /** Runs {@code call} in another thread: the future completes with the IOException it threw, or null. */
    private static CompletableFuture<IOException> failureInAnotherThread(final BlockingCall call)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                call.call();
                return null;
            }
            catch (final IOException ex)
            {
                return ex;
            }
        });
    }

    @Test
    void closingAServerSocketEndsABlockedAcceptAndFreesTheName() throws Exception
    {
        final ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
        final CompletableFuture<IOException> accept = failureInAnotherThread(server::accept);
        awaitDoorbell();
        server.close();
        assertInstanceOf(SocketException.class, accept.get(10, TimeUnit.SECONDS));
        ShmServerSocket.bind(shm.registry(), "svc").close();
        assertEquals(List.of(), SocketFiles.in(shm.directory()));
    }

    @Test
    void closingASocketEndsAReadBlockedInAnotherThread() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            final CompletableFuture<IOException> read = failureInAnotherThread(() -> accepted.getInputStream().read());
            awaitDoorbell();
            accepted.close();
            assertInstanceOf(SocketException.class, read.get(10, TimeUnit.SECONDS));
            assertFalse(accepted.isConnected());
            assertTrue(client.isConnected(), "isConnected describes this end, as java.net.Socket's does");
        }
    }

    @Test
    void theByteChannelViewCarriesTheSameStream() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc");
            ShmSocket client = ShmSocket.connect(shm.registry(), "svc");
            ShmSocket accepted = server.accept())
        {
            final ByteBuffer direct = ByteBuffer.allocateDirect(200_000);
            new Random(3).ints(200_000).forEach(i -> direct.put((byte)i));
            direct.flip();
            final ByteBuffer expected = direct.duplicate();
            assertEquals(200_000, client.channel().write(direct));
            client.shutdownOutput();
            final ByteBuffer received = ByteBuffer.allocate(200_000);
            while (accepted.channel().read(received) >= 0)
            {
                assertTrue(received.hasRemaining() || accepted.channel().read(ByteBuffer.allocate(1)) == -1);
                if (!received.hasRemaining())
                {
                    break;
                }
            }
            received.flip();
            assertEquals(expected, received);
        }
    }

    @Test
    void aClientThatClosesBeforeItIsAcceptedLeavesNothingAndAcceptSkipsIt() throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(shm.registry(), "svc"))
        {
            ShmSocket.connect(shm.registry(), "svc").close();
            final ShmSocket second = ShmSocket.connect(shm.registry(), "svc");
            try (ShmSocket accepted = server.accept())
            {
                second.getOutputStream().write(77);
                assertEquals(77, accepted.getInputStream().read(), "accept skipped the abandoned request");
            }
            second.close();
        }
        assertEquals(List.of(), SocketFiles.in(shm.directory()));
    }

    private void awaitDoorbell()
    {
        while (SocketFiles.in(shm.directory()).stream().noneMatch(name -> name.startsWith(".bell.")))
        {
            Thread.onSpinWait();
        }
    }
}
