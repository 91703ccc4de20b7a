package io.shmlink.bench.pingpong;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What a throughput sink answers at the end of a burst ({@link BurstProtocol}), in the first {@value #LENGTH} bytes
 * of its answer, as native-order longs: the messages it received since its previous answer, the sum of their
 * {@link Payload#fold}s, and the page faults its process and its thread took meanwhile ({@link PageFaults}: minor,
 * major; -1 where unknown). The sender reads it into one reused instance.
 */
public final class Acknowledgement
{
    /** Bytes of an answer; a throughput message is at least this long, since the answer has a message's length. */
    public static final int LENGTH = 7 * Long.BYTES;

    private long count;
    private long checksum;
    private long processMinor;
    private long processMajor;
    private long threadMinor;
    private long threadMajor;
    private long cpuTicks;

    /**
     * Writes an answer.
     *
     * @param buffer  where.
     * @param offset  at which offset.
     * @param count   messages received.
     * @param checksum sum of their folds.
     * @param process the sink process's fault counters' increase since the previous answer.
     * @param processMajor as {@code process}, major faults.
     * @param thread  the sink thread's minor faults' increase.
     * @param threadMajor as {@code thread}, major faults.
     * @param cpuTicks the sink process's CPU ticks since the burst's first message, or -1.
     */
    static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long count,
        final long checksum,
        final long process,
        final long processMajor,
        final long thread,
        final long threadMajor,
        final long cpuTicks)
    {
        buffer.putLong(offset, count);
        buffer.putLong(offset + Long.BYTES, checksum);
        buffer.putLong(offset + 2 * Long.BYTES, process);
        buffer.putLong(offset + 3 * Long.BYTES, processMajor);
        buffer.putLong(offset + 4 * Long.BYTES, thread);
        buffer.putLong(offset + 5 * Long.BYTES, threadMajor);
        buffer.putLong(offset + 6 * Long.BYTES, cpuTicks);
    }

    /**
     * Reads an answer into this instance.
     *
     * @param buffer where it is.
     * @param offset at which offset.
     * @return this.
     */
    Acknowledgement read(final DirectBuffer buffer, final int offset)
    {
        count = buffer.getLong(offset);
        checksum = buffer.getLong(offset + Long.BYTES);
        processMinor = buffer.getLong(offset + 2 * Long.BYTES);
        processMajor = buffer.getLong(offset + 3 * Long.BYTES);
        threadMinor = buffer.getLong(offset + 4 * Long.BYTES);
        threadMajor = buffer.getLong(offset + 5 * Long.BYTES);
        cpuTicks = buffer.getLong(offset + 6 * Long.BYTES);
        return this;
    }

    /**
     * @return messages the sink received since its previous answer.
     */
    public long count()
    {
        return count;
    }

    /**
     * @return the sum of their {@link Payload#fold}s, modulo 2<sup>64</sup>.
     */
    public long checksum()
    {
        return checksum;
    }

    /**
     * @return minor faults of the sink's process since its previous answer, or -1.
     */
    public long processMinor()
    {
        return processMinor;
    }

    /**
     * @return major faults of the sink's process since its previous answer, or -1.
     */
    public long processMajor()
    {
        return processMajor;
    }

    /**
     * @return minor faults of the sink's thread since its previous answer, or -1.
     */
    public long threadMinor()
    {
        return threadMinor;
    }

    /**
     * @return major faults of the sink's thread since its previous answer, or -1.
     */
    public long threadMajor()
    {
        return threadMajor;
    }

    /**
     * @return CPU ticks of the sink's process ({@code utime + stime}) from the burst's first message to this answer,
     * or -1.
     */
    public long cpuTicks()
    {
        return cpuTicks;
    }
}
