package io.shmlink.shm.testing;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmServerSocket;
import io.shmlink.shm.socket.ShmSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Child JVM for socket tests. Args: directory name mode [args]. Modes:
 * <ul>
 *   <li>{@code echo-server connections}: binds, prints {@code BOUND}, echoes each accepted connection (one
 *   thread each) until its end of stream, then exits.</li>
 *   <li>{@code send bytes seed}: connects, prints {@code CONNECTED}, writes {@code bytes} bytes of
 *   {@link #pattern} in random-sized writes, shuts its output down, prints {@code SENT crc}, reads the peer's
 *   reply to end of stream, prints {@code REPLY length crc}.</li>
 *   <li>{@code hold-client}: connects, writes one byte, prints {@code CONNECTED}, waits to be killed.</li>
 *   <li>{@code hold-server}: binds, prints {@code BOUND}, accepts one connection, prints {@code ACCEPTED},
 *   waits to be killed.</li>
 * </ul>
 */
public final class SocketPeerMain
{
    public static void main(final String[] args) throws Exception
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        final String name = args[1];
        switch (args[2])
        {
            case "echo-server" -> echoServer(registry, name, Integer.parseInt(args[3]));
            case "send" -> send(registry, name, Long.parseLong(args[3]), Long.parseLong(args[4]));
            case "hold-client" ->
            {
                final ShmSocket socket = ShmSocket.connect(registry, name);
                socket.getOutputStream().write(1);
                say("CONNECTED");
                waitForever();
            }
            case "hold-server" ->
            {
                final ShmServerSocket server = ShmServerSocket.bind(registry, name);
                say("BOUND");
                server.accept();
                say("ACCEPTED");
                waitForever();
            }
            default -> throw new IllegalArgumentException(args[2]);
        }
        registry.close();
    }

    private static void echoServer(final ShmRegistry registry, final String name, final int connections)
        throws Exception
    {
        try (ShmServerSocket server = ShmServerSocket.bind(registry, name))
        {
            say("BOUND");
            final Thread[] echoes = new Thread[connections];
            for (int i = 0; i < connections; i++)
            {
                final ShmSocket socket = server.accept();
                echoes[i] = new Thread(() -> echo(socket));
                echoes[i].start();
            }
            for (final Thread echo : echoes)
            {
                echo.join();
            }
        }
    }

    private static void echo(final ShmSocket socket)
    {
        try (socket)
        {
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            final byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                out.write(buffer, 0, read);
            }
            socket.shutdownOutput();
        }
        catch (final IOException ex)
        {
            throw new RuntimeException(ex);
        }
    }

    private static void send(final ShmRegistry registry, final String name, final long bytes, final long seed)
        throws IOException
    {
        try (ShmSocket socket = ShmSocket.connect(registry, name))
        {
            say("CONNECTED");
            final OutputStream out = socket.getOutputStream();
            final byte[] pattern = pattern(seed);
            final Random sizes = new Random(seed);
            final CRC32C crc = new CRC32C();
            long sent = 0;
            while (sent < bytes)
            {
                final int offset = (int)(sent % pattern.length) / 2;
                final int length = (int)Math.min(bytes - sent, 1 + sizes.nextInt(pattern.length / 2));
                out.write(pattern, offset, length);
                crc.update(pattern, offset, length);
                sent += length;
            }
            socket.shutdownOutput();
            say("SENT " + crc.getValue());
            final CRC32C reply = new CRC32C();
            final byte[] buffer = new byte[65536];
            long length = 0;
            int read;
            while ((read = socket.getInputStream().read(buffer)) >= 0)
            {
                reply.update(buffer, 0, read);
                length += read;
            }
            say("REPLY " + length + " " + reply.getValue());
        }
    }

    /**
     * 512 KiB of seeded random bytes: writes take random slices of it.
     *
     * @param seed the seed.
     * @return the bytes.
     */
    public static byte[] pattern(final long seed)
    {
        final byte[] bytes = new byte[512 * 1024];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }

    private static void waitForever() throws InterruptedException
    {
        Thread.currentThread().join();
    }
}
