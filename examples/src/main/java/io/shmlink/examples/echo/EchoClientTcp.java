package io.shmlink.examples.echo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * An echo client: sends COUNT messages (default 10000) of SIZE bytes (default 32), one at a time, reads each echo
 * and checks it byte for byte, then shuts its output down and expects the end of the stream. It prints the
 * round-trip times and a CRC32C of all it got back; the bytes are the same on every run, so every run with the same
 * COUNT and SIZE prints the same CRC. {@code EchoClientTcp PORT [COUNT [SIZE]]} talks to {@link EchoServerTcp},
 * {@code EchoClientShm NAME [COUNT [SIZE]]} to {@link EchoServerShm}. The two files differ only in the lines that
 * name the transport.
 */
public final class EchoClientTcp
{
    /**
     * Runs the echo exchange with a server that is already listening.
     *
     * @param args where the server listens, as it printed it, then optionally COUNT and SIZE.
     * @throws IOException if the connection fails or an echo differs from what was sent.
     */
    public static void main(final String[] args) throws IOException
    {
        final int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        final int size = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        final Random random = new Random(42);
        final byte[] message = new byte[size];
        final byte[] echo = new byte[size];
        final long[] roundTrips = new long[count];
        final CRC32C crc = new CRC32C();
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])))
        {
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
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
            socket.shutdownOutput();
            if (in.read() != -1)
            {
                throw new IOException("the server sent more than the echoes");
            }
        }
        Arrays.sort(roundTrips);
        System.out.printf("%d echoes of %d bytes, every byte checked, crc32c %08x%n", count, size, crc.getValue());
        System.out.printf("round trip: p50 %.1f us, p99 %.1f us, max %.1f us%n", roundTrips[count / 2] / 1e3,
            roundTrips[(int)(count * 0.99)] / 1e3, roundTrips[count - 1] / 1e3);
    }
}
