package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

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
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class SpscBenchmark
{
    /** Messages per batch: 32 messages of 1 KiB (1,032 bytes with header) fill half a 64 KiB ring. */
    public static final int BATCH = 32;

    /**
     * A ShmLink SPSC channel with its one publisher and its subscriber.
     */
    @State(Scope.Thread)
    public static class ShmLinkState
    {
        /** Message length in bytes. */
        @Param({"32", "1024"})
        public int size;

        JmhChannels.ShmLinkChannel channel;
        Publisher publisher;
        Subscriber subscriber;
        UnsafeBuffer message;
        final MessageSink sink = new MessageSink();

        /**
         * Creates the channel in a fresh {@code /dev/shm} directory.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            channel = new JmhChannels.ShmLinkChannel(ChannelConfig.spsc(JmhChannels.CAPACITY), 1);
            publisher = channel.publisher(0);
            subscriber = channel.subscriber();
            message = JmhChannels.message(size);
        }

        /**
         * Closes the channel and deletes its directory.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            channel.close();
        }
    }

    /**
     * An Agrona one-to-one ring over a {@code /dev/shm} file.
     */
    @State(Scope.Thread)
    public static class AgronaState
    {
        /** Message length in bytes. */
        @Param({"32", "1024"})
        public int size;

        JmhChannels.AgronaRing file;
        OneToOneRingBuffer ring;
        UnsafeBuffer message;
        final MessageSink sink = new MessageSink();

        /**
         * Maps the ring in a fresh {@code /dev/shm} directory.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            file = new JmhChannels.AgronaRing(false);
            ring = (OneToOneRingBuffer)file.ring();
            message = JmhChannels.message(size);
        }

        /**
         * Unmaps the ring and deletes its directory.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            file.close();
        }
    }

    /**
     * ShmLink: offer one message, poll it.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long shmlink(final ShmLinkState s)
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
    public long agrona(final AgronaState s)
    {
        write(s.ring, s.message, s.size);
        readOne(s.ring, s.sink);
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
    public long shmlinkBatch(final ShmLinkState s)
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
    public long agronaBatch(final AgronaState s)
    {
        for (int i = 0; i < BATCH; i++)
        {
            write(s.ring, s.message, s.size);
        }
        int received = 0;
        int reads = 0;
        while (received < BATCH)
        {
            // Agrona reads at most up to the end of the ring, so a batch that wraps takes two reads.
            final int n = s.ring.read(s.sink, BATCH - received);
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
