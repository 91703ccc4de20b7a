package io.shmlink.bench.pingpong;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The consuming half of every transport's {@link Echo#sink}, in the child: reads every byte of each message, in
 * place or after copying it out ({@link SinkMode}), adds its {@link Payload#fold} to a running checksum, counts it,
 * and at a message that asks for one ({@link BurstProtocol}) prepares the {@link Acknowledgement}: count, checksum
 * page faults since the previous one, and its process's CPU ticks since the burst's first message ({@link CpuPerGib}). Construct it on the thread that will sink (its thread's fault counter is
 * that thread's). Allocates nothing per message.
 */
public final class BurstSink implements AutoCloseable
{
    private final int messageLength;
    private final UnsafeBuffer copy;
    private final UnsafeBuffer acknowledgement;
    private final PageFaults process = PageFaults.open(PageFaults.PROCESS);
    private final PageFaults thread = PageFaults.open(PageFaults.THREAD);
    private SinkMode mode = SinkMode.IN_PLACE;
    private long received;
    private long checksum;
    /** The fault counters ({@link PageFaults#COUNTERS}) at the previous answer, and now. */
    private final long[] faultsBefore = new long[PageFaults.COUNTERS];
    private final long[] faultsNow = new long[PageFaults.COUNTERS];
    private long cpuTicksAtFirst = -1;

    /**
     * @param messageLength bytes per message, at least {@link Acknowledgement#LENGTH}.
     */
    public BurstSink(final int messageLength)
    {
        this.messageLength = messageLength;
        this.copy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(64, messageLength), 64));
        this.acknowledgement = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(64, messageLength), 64));
        PageFaults.sample(process, thread, faultsBefore, 0, false);
    }

    /**
     * What an echo's sink loop starts with: the sink it made before, or, on its first call, a new one, made there on
     * the thread that sinks; either way set to read in {@code mode}.
     *
     * @param sink          the echo's sink, or null before its first sink loop.
     * @param messageLength bytes per message.
     * @param mode          how the following messages are read.
     * @return the sink to use and keep.
     */
    static BurstSink inMode(final BurstSink sink, final int messageLength, final SinkMode mode)
    {
        final BurstSink ready = sink != null ? sink : new BurstSink(messageLength);
        ready.mode(mode);
        return ready;
    }

    /**
     * @param mode how the following messages are read.
     */
    public void mode(final SinkMode mode)
    {
        this.mode = mode;
    }

    /**
     * Consumes one message.
     *
     * @param buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     * @return whether it asks for an acknowledgement; {@link #acknowledgement()} then holds it, and the count and
     * checksum start again from 0.
     * @throws IllegalStateException if the message does not have the run's length.
     */
    public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != messageLength)
        {
            throw new IllegalStateException("message of " + length + " bytes, expected " + messageLength);
        }
        if (received == 0)
        {
            cpuTicksAtFirst = process.sample().cpuTicks();
        }
        final long word;
        if (mode == SinkMode.IN_PLACE)
        {
            checksum += Payload.fold(buffer, offset, length);
            word = buffer.getLong(offset);
        }
        else
        {
            copy.putBytes(0, buffer, offset, length);
            checksum += Payload.fold(copy, 0, length);
            word = copy.getLong(0);
        }
        received++;
        if (!BurstProtocol.asksForAcknowledgement(word))
        {
            return false;
        }
        PageFaults.sample(process, thread, faultsNow, 0, false);
        Acknowledgement.write(acknowledgement, 0, received, checksum, faultsBefore, faultsNow,
            CpuPerGib.delta(cpuTicksAtFirst, process.cpuTicks()));
        System.arraycopy(faultsNow, 0, faultsBefore, 0, PageFaults.COUNTERS);
        received = 0;
        checksum = 0;
        return true;
    }

    /**
     * @return the last acknowledgement, at offset 0, in a buffer of the message length; send that many bytes.
     */
    public UnsafeBuffer acknowledgement()
    {
        return acknowledgement;
    }

    @Override
    public void close()
    {
        process.close();
        thread.close();
    }
}
