package io.shmlink.bench.pingpong;

import org.agrona.BitUtil;

import java.nio.file.Path;

/**
 * Where and how big: what both sides of one transport need to find each other and size their rings.
 *
 * @param directory     the transport's private directory in the run directory; both processes see the same path.
 * @param messageLength bytes per ping (and per pong), at least {@link #MIN_MESSAGE_LENGTH}.
 */
public record LinkSpec(Path directory, int messageLength)
{
    /** A message carries its sequence number in its first 8 bytes. */
    public static final int MIN_MESSAGE_LENGTH = Long.BYTES;

    /** Large enough for any realistic ping, small enough that rings stay a few MiB. */
    public static final int MAX_MESSAGE_LENGTH = 1 << 20;

    /** Ring capacity for small messages; the same for every ring-based transport so that none gets a bigger cache footprint. */
    public static final int MIN_RING_CAPACITY = 64 * 1024;

    /**
     * Validates the message length.
     *
     * @throws IllegalArgumentException if it is outside {@code [MIN_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH]}.
     */
    public LinkSpec
    {
        if (messageLength < MIN_MESSAGE_LENGTH || messageLength > MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("message length must be in [" + MIN_MESSAGE_LENGTH + ", " +
                MAX_MESSAGE_LENGTH + "]: " + messageLength);
        }
    }

    /**
     * The data capacity of every ring of the run: a power of two of at least 64 KiB with room for 8 messages, since
     * both ShmLink and Agrona cap a message at an eighth of the ring.
     *
     * @return bytes of ring data (Agrona's trailer comes on top).
     */
    public int ringCapacity()
    {
        return Math.max(MIN_RING_CAPACITY, BitUtil.findNextPositivePowerOfTwo(messageLength + 64) * 8);
    }
}
