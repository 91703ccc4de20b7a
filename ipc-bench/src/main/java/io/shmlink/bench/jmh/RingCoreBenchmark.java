package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.bench.ShmTempDirectory;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.ring.SpscRingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;

/**
 * SPSC offer + poll through the ring alone ({@link RingWriter} and {@link RingReader}), without the
 * {@code Publisher}/{@code Subscriber} layer and its per-call checks (argument ranges, closed, and the subscriber
 * slot read that yields NOT_CONNECTED and CLOSED). Set beside {@link SpscBenchmark}, it splits ShmLink's cost
 * into the ring's and the API's.
 */
@State(Scope.Thread)
public class RingCoreBenchmark extends ThroughputBenchmark
{
    /** Message length in bytes. */
    @Param({"32", "1024"})
    public int size;

    private ShmTempDirectory directory;
    private RingWriter writer;
    private RingReader reader;
    private UnsafeBuffer message;
    private final MessageSink sink = new MessageSink();

    /**
     * Maps one SPSC channel of {@link JmhChannels#CAPACITY} bytes twice, as a publisher and a subscriber process would.
     *
     * @throws IOException if the directory cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = ShmTempDirectory.create("shmlink-jmh-core-");
        try (ShmRegistry registry = ShmRegistry.open(directory.path()))
        {
            registry.create("core", ChannelConfig.spsc(JmhChannels.CAPACITY));
        }
        writer = new SpscRingWriter(ChannelSegment.open(directory.path().resolve("core"), "core"), 129);
        reader = new RingReader(ChannelSegment.open(directory.path().resolve("core"), "core"), false);
        message = JmhChannels.message(size); // the same direct buffer the Agrona benchmark it is compared with sends
    }

    /**
     * Deletes the channel's directory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        directory.close();
    }

    /**
     * Write one message, read it.
     *
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long ringCore()
    {
        if (writer.write(message, 0, size) <= 0)
        {
            throw new IllegalStateException("write failed on a ring that cannot be full");
        }
        if (reader.read(sink, 1) == 0 && reader.read(sink, 1) == 0)
        {
            throw new IllegalStateException("read did not return the message just written");
        }
        return sink.checksum;
    }
}
