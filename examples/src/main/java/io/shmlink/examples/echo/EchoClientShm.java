package io.shmlink.examples.echo;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmSocket;
import java.io.IOException;

/**
 * An echo client: sends COUNT messages (default 10000) of SIZE bytes (default 32), one at a time, reads each echo
 * and checks it byte for byte, then shuts its output down and expects the end of the stream. It prints the
 * round-trip times and a CRC32C of all it got back; the bytes are the same on every run, so every run with the same
 * COUNT and SIZE prints the same CRC. {@code EchoClientTcp PORT [COUNT [SIZE]]} talks to {@link EchoServerTcp},
 * {@code EchoClientShm NAME [COUNT [SIZE]]} to {@link EchoServerShm}. The two files differ only in the lines that
 * name the transport; the exchange itself is {@code Echo.Exchange}, which needs only the socket's streams.
 */
public final class EchoClientShm
{
    /**
     * Runs the echo exchange with a server that is already listening.
     *
     * @param args where the server listens, as it printed it, then optionally COUNT and SIZE.
     * @throws IOException if the connection fails or an echo differs from what was sent.
     */
    public static void main(final String[] args) throws IOException
    {
        final Echo.Exchange exchange = new Echo.Exchange(args);
        try (var registry = ShmRegistry.openDefault(); var socket = ShmSocket.connect(registry, args[0]))
        {
            exchange.run(socket.getInputStream(), socket.getOutputStream(), socket::shutdownOutput);
        }
        exchange.printRoundTrips();
    }
}
