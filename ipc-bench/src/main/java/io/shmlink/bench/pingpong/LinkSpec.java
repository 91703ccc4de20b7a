package io.shmlink.bench.pingpong;

import org.agrona.BitUtil;

import java.nio.file.Path;

/**
 * Where and how big: what both sides of one transport need to find each other and size their rings.
 *
 * @param directory     the transport's private directory in the run directory; both processes see the same path.
 * @param messageLength bytes per ping (and per pong), at least {@link #MIN_MESSAGE_LENGTH}.
 * @param throughput    whether the run is a throughput run ({@link Echo#sink}), for transports that set up
 *                      differently for it.
 * @param index         the transport's index in the run: the {@link EchoControl} word's value for it in a latency
 *                      run ({@link EchoMain#sinkCode} in a throughput run), which a fan-out's side subscribers watch.
 */
public record LinkSpec(Path directory, int messageLength, boolean throughput, int index)
{
    /** A message carries its sequence number in its first 8 bytes. */
    public static final int MIN_MESSAGE_LENGTH = Long.BYTES;

    /**
     * Large enough for an image or a file chunk: 16 MiB, the largest message a ring of ShmLink's largest capacity
     * (1 GiB) carries whole, and Aeron's largest message. Rings are sized from it ({@link #ringCapacity()}): 256 MiB
     * each at this length.
     */
    public static final int MAX_MESSAGE_LENGTH = 16 << 20;

    /**
     * Ring capacity for small messages; the same for every ring-based transport so that none gets a bigger cache
     * footprint.
     */
    public static final int MIN_RING_CAPACITY = 64 * 1024;

    /** A throughput sink's poll takes at most this fraction of the ring ({@link #sinkBatch()}). */
    static final int SINK_POLLS_PER_RING = 8;

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

    /**
     * Messages per poll of a ring's sink in a throughput run (ShmLink's and Agrona's): as many as fill an eighth of
     * the ring, at least one. Their readers hand space back when a poll returns, so a poll that may take the whole
     * ring keeps the publisher of a full ring waiting until all of it is read, where the floor's sink hands back
     * each message; an eighth lets the publisher write while the sink reads. It is the poll
     * {@code docs/OPERATIONS.md} advises for a saturated stream.
     *
     * @return the {@code messageLimit} of each of the sink's polls.
     */
    public int sinkBatch()
    {
        return Math.max(1, ringCapacity() / SINK_POLLS_PER_RING / messageLength);
    }
}
