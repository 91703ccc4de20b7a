package io.shmlink.examples.echo;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmServerSocket;
import java.io.IOException;

/**
 * An echo server: every byte a client sends comes back, until the client shuts its output down; one thread per
 * client, any number of clients at once. {@code EchoServerTcp PORT} listens on TCP loopback (port 0: any free
 * port), {@code EchoServerShm NAME} on a ShmLink server socket in the default registry ({@code $SHMLINK_DIR}, else
 * {@code /dev/shm/shmlink-$USER}); each prints where it listens. The two files differ only in the lines that name
 * the transport.
 */
public final class EchoServerShm
{
    /**
     * Serves echoes until the process is stopped.
     *
     * @param args where to listen (see the class comment).
     * @throws IOException if listening or accepting a connection fails.
     */
    public static void main(final String[] args) throws IOException
    {
        try (var registry = ShmRegistry.openDefault(); var server = ShmServerSocket.bind(registry, args[0]))
        {
            System.out.println("echo server listening on " + server.name());
            while (true)
            {
                final var socket = server.accept();
                Echo.onNewThread(socket, () -> socket.getInputStream().transferTo(socket.getOutputStream()));
            }
        }
    }
}
