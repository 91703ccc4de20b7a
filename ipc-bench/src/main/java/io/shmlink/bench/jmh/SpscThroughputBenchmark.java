package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * SPSC streaming throughput with the publisher and the subscriber on their own threads (and so, on this machine's
 * two cores, their own cores), as in a real pipeline: ShmLink against Agrona's {@code OneToOneRingBuffer}, both
 * 64 KiB over a {@code /dev/shm} mapping. Each group is one publishing thread, whose op is one message sent (it
 * spins while the ring is full), and one polling thread, whose op is one poll of up to 64 messages. The score to
 * compare is the publishing method's: messages per microsecond through the ring. Unlike {@link SpscBenchmark},
 * which runs offer and poll on one thread, this one includes the cache-line transfers between cores that every
 * cross-process message pays.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class SpscThroughputBenchmark
{
    /** ShmLink channel shared by the group's two threads. */
    @State(Scope.Group)
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
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            channel = new JmhChannels.ShmLinkChannel(ChannelConfig.spsc(JmhChannels.CAPACITY), 1);
            publisher = channel.publisher(0);
            subscriber = channel.subscriber();
            message = new UnsafeBuffer(new byte[size]);
            message.putLong(0, 42);
        }

        /** Deletes the channel. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            channel.close();
        }
    }

    /** Agrona ring shared by the group's two threads. */
    @State(Scope.Group)
    public static class AgronaState
    {
        /** Message length in bytes. */
        @Param({"32", "1024"})
        public int size;

        JmhChannels.AgronaRing ring;
        RingBuffer buffer;
        UnsafeBuffer message;
        final MessageSink sink = new MessageSink();

        /**
         * @throws IOException if the file cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            ring = new JmhChannels.AgronaRing(false);
            buffer = ring.ring();
            message = new UnsafeBuffer(new byte[size]);
            message.putLong(0, 42);
        }

        /** Deletes the ring's file. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            ring.close();
        }
    }

    /**
     * Sends one message, spinning while the ring is full.
     *
     * @param s       the channel.
     * @param control to stop spinning when the iteration ends.
     * @return the position.
     */
    @Benchmark
    @Group("shmlink")
    @GroupThreads(1)
    public long shmlinkPublish(final ShmLinkState s, final Control control)
    {
        long result;
        while ((result = s.publisher.offer(s.message, 0, s.size)) < 0 && !control.stopMeasurement)
        {
            Thread.onSpinWait();
        }
        return result;
    }

    /**
     * Polls up to 64 messages.
     *
     * @param s the channel.
     * @return messages received.
     */
    @Benchmark
    @Group("shmlink")
    @GroupThreads(1)
    public int shmlinkPoll(final ShmLinkState s)
    {
        return s.subscriber.poll(s.sink, 64);
    }

    /**
     * Writes one message, spinning while the ring is full.
     *
     * @param s       the ring.
     * @param control to stop spinning when the iteration ends.
     * @return whether it was written.
     */
    @Benchmark
    @Group("agrona")
    @GroupThreads(1)
    public boolean agronaPublish(final AgronaState s, final Control control)
    {
        boolean written;
        while (!(written = s.buffer.write(JmhChannels.MESSAGE_TYPE, s.message, 0, s.size)) && !control.stopMeasurement)
        {
            Thread.onSpinWait();
        }
        return written;
    }

    /**
     * Reads up to 64 messages.
     *
     * @param s the ring.
     * @return messages read.
     */
    @Benchmark
    @Group("agrona")
    @GroupThreads(1)
    public int agronaPoll(final AgronaState s)
    {
        return s.buffer.read(s.sink, 64);
    }
}
