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

    /** Where the fault counters start in an answer: after the count and the checksum. */
    private static final int FAULTS_OFFSET = 2 * Long.BYTES;
    private static final int CPU_TICKS_OFFSET = FAULTS_OFFSET + PageFaults.COUNTERS * Long.BYTES;

    private final long[] faults = new long[PageFaults.COUNTERS];
    private long count;
    private long checksum;
    private long cpuTicks;

    /**
     * Writes an answer.
     *
     * @param buffer   where.
     * @param offset   at which offset.
     * @param count    messages received.
     * @param checksum sum of their folds.
     * @param before   the sink's fault counters at its previous answer ({@link PageFaults#sample(PageFaults,
     *                 PageFaults, long[], int, boolean)}).
     * @param after    the same counters now; the answer carries their increase.
     * @param cpuTicks the sink process's CPU ticks since the burst's first message, or -1.
     */
    static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long count,
        final long checksum,
        final long[] before,
        final long[] after,
        final long cpuTicks)
    {
        buffer.putLong(offset, count);
        buffer.putLong(offset + Long.BYTES, checksum);
        for (int i = 0; i < PageFaults.COUNTERS; i++)
        {
            buffer.putLong(offset + FAULTS_OFFSET + i * Long.BYTES, CpuPerGib.delta(before[i], after[i]));
        }
        buffer.putLong(offset + CPU_TICKS_OFFSET, cpuTicks);
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
        for (int i = 0; i < PageFaults.COUNTERS; i++)
        {
            faults[i] = buffer.getLong(offset + FAULTS_OFFSET + i * Long.BYTES);
        }
        cpuTicks = buffer.getLong(offset + CPU_TICKS_OFFSET);
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
     * Copies the page faults the sink took since its previous answer, each -1 where unknown, in the order of
     * {@link PageFaults#sample(PageFaults, PageFaults, long[], int, boolean)}: its process's minor and major faults,
     * then its thread's.
     *
     * @param into where to copy them.
     * @param at   the index of the first.
     */
    public void faults(final long[] into, final int at)
    {
        System.arraycopy(faults, 0, into, at, PageFaults.COUNTERS);
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
