package io.shmlink.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Test messages: an 8-byte sequence, random payload of random length, and a CRC32C of both in the last 4 bytes, so
 * a receiver can tell order, loss, duplication and garbage apart. Not thread-safe: one per thread.
 */
final class TestMessages
{
    /** Sequence and checksum. */
    static final int OVERHEAD = 12;

    private final CRC32C crc = new CRC32C();
    private final byte[] scratch;

    TestMessages(final int maxLength)
    {
        scratch = new byte[maxLength];
    }

    /**
     * Most messages short, one in 500 up to {@code maxLength} (several Aeron frames long).
     *
     * @return a length in [OVERHEAD, maxLength].
     */
    static int randomLength(final SplittableRandom random, final int maxLength)
    {
        final int bound = random.nextInt(500) == 0 ? maxLength : Math.min(maxLength, 400);
        return OVERHEAD + random.nextInt(bound - OVERHEAD + 1);
    }

    int encode(final MutableDirectBuffer buffer, final long sequence, final int length, final SplittableRandom random)
    {
        buffer.putLong(0, sequence);
        for (int i = 8; i < length - 4; i++)
        {
            buffer.putByte(i, (byte)random.nextInt());
        }
        buffer.putInt(length - 4, checksum(buffer, 0, length));
        return length;
    }

    /**
     * @return the message's sequence.
     * @throws AssertionError if it is garbage.
     */
    long verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < OVERHEAD || length > scratch.length)
        {
            throw new AssertionError("message of impossible length " + length);
        }
        final int expected = checksum(buffer, offset, length);
        final int actual = buffer.getInt(offset + length - 4);
        if (expected != actual)
        {
            throw new AssertionError("bad checksum in a message of " + length + " bytes, sequence " +
                buffer.getLong(offset));
        }
        return buffer.getLong(offset);
    }

    private int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.getBytes(offset, scratch, 0, length - 4);
        crc.reset();
        crc.update(scratch, 0, length - 4);
        return (int)crc.getValue();
    }

    /**
     * A UDP port on 127.0.0.1 free at the moment of the call.
     */
    static int freeUdpPort() throws SocketException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
    }

    static String udp(final int port)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }
}
