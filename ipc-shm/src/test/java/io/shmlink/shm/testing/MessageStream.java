package io.shmlink.shm.testing;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * A reproducible stream of test messages: message {@code seq} has a length and content derived from the seed and
 * {@code seq} alone, so a verifier in another process knows exactly what it must receive. A message of 12 bytes
 * or more carries its sequence number in its first 8 bytes and a CRC32C of the bytes between in its last 4;
 * shorter ones are compared byte for byte.
 */
public final class MessageStream
{
    private static final int SEQ_AND_CRC = 12;

    private final long seed;
    private final int maxLength;
    private final byte[] block;
    private final byte[] scratch;
    private final CRC32C crc = new CRC32C();

    /**
     * @param seed      the stream's seed.
     * @param maxLength longest message.
     */
    public MessageStream(final long seed, final int maxLength)
    {
        this.seed = seed;
        this.maxLength = maxLength;
        this.block = new byte[Math.max(1, 2 * maxLength)];
        new SplittableRandom(seed).nextBytes(block);
        this.scratch = new byte[Math.max(1, maxLength)];
    }

    /**
     * @param seq sequence number.
     * @return the length of message {@code seq}, uniform in [0, maxLength].
     */
    public int length(final long seq)
    {
        return (int)Long.remainderUnsigned(mix(seed ^ (seq * 0x9E3779B97F4A7C15L)), maxLength + 1L);
    }

    /**
     * Writes message {@code seq}.
     *
     * @param seq    sequence number.
     * @param buffer destination.
     * @param offset where the message starts.
     * @return its length.
     */
    public int write(final long seq, final MutableDirectBuffer buffer, final int offset)
    {
        final int length = length(seq);
        final int start = start(seq);
        buffer.putBytes(offset, block, start, length);
        if (length >= SEQ_AND_CRC)
        {
            buffer.putLong(offset, seq);
            buffer.getBytes(offset + 8, scratch, 0, length - SEQ_AND_CRC);
            crc.reset();
            crc.update(scratch, 0, length - SEQ_AND_CRC);
            buffer.putInt(offset + length - 4, (int)crc.getValue());
        }
        return length;
    }

    /**
     * Checks that a received message is message {@code seq}, every byte of it.
     *
     * @param seq    the sequence number expected.
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @return null if it matches, else what is wrong.
     */
    public String verify(final long seq, final DirectBuffer buffer, final int offset, final int length)
    {
        final int expectedLength = length(seq);
        if (length != expectedLength)
        {
            return "seq " + seq + ": length " + length + ", expected " + expectedLength;
        }
        if (length >= SEQ_AND_CRC)
        {
            final long carried = buffer.getLong(offset);
            if (carried != seq)
            {
                return "seq " + seq + ": message carries seq " + carried + " (gap, duplicate or reorder)";
            }
            buffer.getBytes(offset + 8, scratch, 0, length - SEQ_AND_CRC);
            crc.reset();
            crc.update(scratch, 0, length - SEQ_AND_CRC);
            final int carriedCrc = buffer.getInt(offset + length - 4);
            if (carriedCrc != (int)crc.getValue())
            {
                return "seq " + seq + ": CRC32C mismatch";
            }
            return null;
        }
        final int start = start(seq);
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != block[start + i])
            {
                return "seq " + seq + ": byte " + i + " differs";
            }
        }
        return null;
    }

    private int start(final long seq)
    {
        return (int)Long.remainderUnsigned(mix(seq + seed), maxLength + 1L);
    }

    private static long mix(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
