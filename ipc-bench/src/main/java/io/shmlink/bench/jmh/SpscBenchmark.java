package io.shmlink.bench.jmh;

import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * SPSC offer + poll throughput: a ShmLink SPSC channel against Agrona's {@link OneToOneRingBuffer}, both 64 KiB over
 * a {@code /dev/shm} mapping, for 32-byte and 1 KiB messages.
 * <p>
 * One thread offers and then polls. That measures the cost of the operations themselves (the hot path's
 * instructions, bounds checks, ordered stores, zeroing on release), without the cache-line transfers between two
 * cores, which the cross-process ping-pong measures. It is also the only stable design on a 2-core machine: no two
 * threads compete for a core. Each op of {@code shmlink}/{@code agrona} is one message; the {@code *Batch} variants
 * offer {@value #BATCH} messages and then poll them all (the score is still per message), which amortises the
 * per-poll cost of releasing space the way a busy consumer does.
 * <p>
 * {@code -prof gc} proves the hot path allocates nothing: {@code gc.alloc.rate.norm} is the bytes per op.
 */
public class SpscBenchmark extends ThroughputBenchmark
{
    /** Messages per batch: 32 messages of 1 KiB (1,032 bytes with header) fill half a 64 KiB ring. */
    public static final int BATCH = 32;

    /**
     * ShmLink: offer one message, poll it.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long shmlink(final JmhChannels.Spsc s)
    {
        offer(s.publisher, s.message, s.size);
        pollOne(s.subscriber, s.sink);
        return s.sink.checksum;
    }

    /**
     * Agrona: write one message, read it.
     *
     * @param s the ring.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long agrona(final JmhChannels.OneToOne s)
    {
        write(s.oneToOne, s.message, s.size);
        readOne(s.oneToOne, s.sink);
        return s.sink.checksum;
    }

    /**
     * ShmLink: offer {@value #BATCH} messages, then poll them all.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long shmlinkBatch(final JmhChannels.Spsc s)
    {
        for (int i = 0; i < BATCH; i++)
        {
            offer(s.publisher, s.message, s.size);
        }
        int received = 0;
        int emptyPolls = 0;
        while (received < BATCH)
        {
            final int n = s.subscriber.poll(s.sink, BATCH - received);
            received += n;
            checkProgress(n, ++emptyPolls);
        }
        return s.sink.checksum;
    }

    /**
     * Agrona: write {@value #BATCH} messages, then read them all.
     *
     * @param s the ring.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agronaBatch(final JmhChannels.OneToOne s)
    {
        for (int i = 0; i < BATCH; i++)
        {
            write(s.oneToOne, s.message, s.size);
        }
        int received = 0;
        int reads = 0;
        while (received < BATCH)
        {
            // Agrona reads at most up to the end of the ring, so a batch that wraps takes two reads.
            final int n = s.oneToOne.read(s.sink, BATCH - received);
            received += n;
            checkProgress(n, ++reads);
        }
        return s.sink.checksum;
    }

    static void offer(final Publisher publisher, final UnsafeBuffer message, final int size)
    {
        final long result = publisher.offer(message, 0, size);
        if (result <= 0)
        {
            throw new IllegalStateException("offer returned " + result + " on a ring that cannot be full");
        }
    }

    static void write(final org.agrona.concurrent.ringbuffer.RingBuffer ring, final UnsafeBuffer message,
        final int size)
    {
        if (!ring.write(JmhChannels.MESSAGE_TYPE, message, 0, size))
        {
            throw new IllegalStateException("write failed on a ring that cannot be full");
        }
    }

    /**
     * Polls the one message just offered. ShmLink skips padding inside a poll, so one poll is enough; the second
     * chance only keeps the code the same shape as {@link #readOne}.
     */
    static void pollOne(final Subscriber subscriber, final MessageSink sink)
    {
        if (subscriber.poll(sink, 1) == 0 && subscriber.poll(sink, 1) == 0)
        {
            throw new IllegalStateException("poll did not return the message just offered");
        }
    }

    /**
     * Reads the one message just written. Agrona's read stops at the end of the ring: when the message did not fit
     * there, the first read consumes only the padding record and returns 0, and the second finds the message.
     */
    static void readOne(final org.agrona.concurrent.ringbuffer.RingBuffer ring, final MessageSink sink)
    {
        if (ring.read(sink, 1) == 0 && ring.read(sink, 1) == 0)
        {
            throw new IllegalStateException("read did not return the message just written");
        }
    }

    /**
     * A poll may come back empty once at the end of the ring (Agrona stops at the wrap, past a padding record), but
     * never three times for one batch: that would be a lost message, and spinning on would hide it.
     */
    private static void checkProgress(final int received, final int polls)
    {
        if (received == 0 && polls > 3)
        {
            throw new IllegalStateException("messages offered but not delivered after " + polls + " polls");
        }
    }
}
