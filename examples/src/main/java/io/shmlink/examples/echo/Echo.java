package io.shmlink.examples.echo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * What the echo programs do once connected, the same over TCP and over ShmLink: it needs only a socket's streams,
 * so each program's own file says no more than how it listens or connects.
 */
final class Echo
{
    private Echo()
    {
    }

    /**
     * Something done on a connection, which may fail as socket calls do.
     */
    @FunctionalInterface
    interface Work
    {
        /**
         * Does it.
         *
         * @throws IOException if the connection fails.
         */
        void run() throws IOException;
    }

    /**
     * Serves one connection on a thread of its own and closes the socket when done; a connection that ends in an
     * exception is reported on standard error.
     *
     * @param socket the accepted connection.
     * @param work   what to do with it.
     */
    static void onNewThread(final Closeable socket, final Work work)
    {
        new Thread(() ->
        {
            try (socket)
            {
                work.run();
            }
            catch (final IOException ex)
            {
                System.err.println("connection ended: " + ex);
            }
        }).start();
    }

    /**
     * The client's exchange: COUNT messages of SIZE bytes, one at a time, each echo checked byte for byte, then the
     * end of the stream; the messages are the same on every run (a fixed seed), and so is the CRC32C of the echoes.
     */
    static final class Exchange
    {
        private final int count;
        private final int size;
        private final long[] roundTrips;
        private final CRC32C crc = new CRC32C();

        /**
         * @param args the client's arguments: where the server listens, then optionally COUNT (default 10000) and
         *             SIZE (default 32).
         */
        Exchange(final String[] args)
        {
            count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
            size = args.length > 2 ? Integer.parseInt(args[2]) : 32;
            roundTrips = new long[count];
        }

        /**
         * Sends every message and checks its echo, then shuts the output down and expects the end of the stream.
         *
         * @param input          the socket's input stream.
         * @param output         the socket's output stream.
         * @param shutdownOutput shuts the socket's output down.
         * @throws IOException if the connection fails or an echo differs from what was sent.
         */
        void run(final InputStream input, final OutputStream output, final Work shutdownOutput) throws IOException
        {
            final Random random = new Random(42);
            final byte[] message = new byte[size];
            final byte[] echo = new byte[size];
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(output));
            final DataInputStream in = new DataInputStream(new BufferedInputStream(input));
            for (int i = 0; i < count; i++)
            {
                random.nextBytes(message);
                final long start = System.nanoTime();
                out.writeInt(i);
                out.write(message);
                out.flush();
                final int sequence = in.readInt();
                in.readFully(echo);
                roundTrips[i] = System.nanoTime() - start;
                if (sequence != i || !Arrays.equals(message, echo))
                {
                    throw new IOException("echo " + i + " differs from the message sent");
                }
                crc.update(echo);
            }
            shutdownOutput.run();
            if (in.read() != -1)
            {
                throw new IOException("the server sent more than the echoes");
            }
        }

        /**
         * Prints what was checked, the CRC32C of the echoes and the round-trip times.
         */
        void printRoundTrips()
        {
            Arrays.sort(roundTrips);
            System.out.printf("%d echoes of %d bytes, every byte checked, crc32c %08x%n", count, size, crc.getValue());
            System.out.printf("round trip: p50 %.1f us, p99 %.1f us, max %.1f us%n", roundTrips[count / 2] / 1e3,
                roundTrips[(int)(count * 0.99)] / 1e3, roundTrips[count - 1] / 1e3);
        }
    }
}
