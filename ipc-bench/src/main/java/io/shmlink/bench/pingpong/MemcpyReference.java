package io.shmlink.bench.pingpong;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A physical reference for the throughput run, measured in the parent while the child idles: one thread copying the
 * same number of bytes as a burst moves, message by message, with the JVM's bulk copy ({@code Unsafe.copyMemory},
 * through {@link UnsafeBuffer#putBytes}). Two sizes of buffer: {@link #CACHE_BYTES}, which stays in the core's
 * cache, and {@link #DRAM_BYTES}, which no cache holds, so every copied line comes from and goes to memory. No
 * two-process transport can move bytes faster than one core copies them from memory it reads once.
 */
final class MemcpyReference
{
    /** Source and destination of the cache-resident copy: 128 KiB each, both within a core's L2. */
    static final int CACHE_BYTES = 128 * 1024;

    /** Source and destination of the DRAM copy: 256 MiB each, far beyond any cache. */
    static final int DRAM_BYTES = 256 << 20;

    private final String name;
    private final int messageLength;
    private final UnsafeBuffer source;
    private final UnsafeBuffer destination;
    private final int chunk;
    private int offset;

    /**
     * Allocates both buffers and touches every page of them, so that the measurement takes no page fault.
     *
     * @param name          the reference's name in reports.
     * @param messageLength bytes per message: what one step copies.
     * @param bytes         {@link #CACHE_BYTES} or {@link #DRAM_BYTES}: size of each buffer.
     */
    MemcpyReference(final String name, final int messageLength, final int bytes)
    {
        this.name = name;
        this.messageLength = messageLength;
        this.source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 4096));
        this.destination = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 4096));
        this.chunk = Math.min(messageLength, bytes);
        source.setMemory(0, bytes, Payload.PATTERN_BYTE);
        destination.setMemory(0, bytes, (byte)0);
    }

    /**
     * @return the reference's name.
     */
    String name()
    {
        return name;
    }

    /**
     * @return one line for the report.
     */
    String describe()
    {
        final int bytes = source.capacity();
        return "one thread copying " + messageLength + " bytes per message (Unsafe.copyMemory) " +
            "between two buffers of " +
            (bytes >= 1 << 20 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB") +
            (bytes == CACHE_BYTES ? ", cache-resident" : ", through DRAM") + "; the echo child idles";
    }

    /**
     * Copies {@code count} messages' worth of bytes: message after message at advancing offsets, wrapping at the end
     * of the buffers; a message longer than the buffers is copied a buffer at a time.
     *
     * @param count how many messages.
     */
    void copy(final int count)
    {
        final int capacity = source.capacity();
        for (int i = 0; i < count; i++)
        {
            int remaining = messageLength;
            while (remaining > 0)
            {
                final int length = Math.min(remaining, chunk);
                if (offset + length > capacity)
                {
                    offset = 0;
                }
                destination.putBytes(offset, source, offset, length);
                offset += length;
                remaining -= length;
            }
        }
    }
}
