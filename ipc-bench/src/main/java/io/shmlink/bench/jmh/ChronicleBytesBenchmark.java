package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.bench.Orders;
import io.shmlink.examples.chronicle.Order;
import io.shmlink.chronicle.BytesHandler;
import io.shmlink.chronicle.BytesPublisher;
import io.shmlink.chronicle.BytesSubscriber;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * ipc-chronicle's offer and poll of {@link Order}, a twelve-field Chronicle DTO, through a 64 KiB ShmLink
 * SPSC channel, one thread offering then polling as in {@link SpscBenchmark}: {@code offerPoll} writes the DTO
 * straight into a claimed record ({@link BytesPublisher}) and reads it back with {@code readMarshallable} into a
 * reused DTO; {@code offerPollView} hands the subscriber's reused {@code Bytes} view to a handler that reads one
 * field; {@code marshalOnly} writes and reads the DTO with no channel, the share that is Chronicle's. Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per offer + poll (per write + read in
 * {@code marshalOnly}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED"})
public class ChronicleBytesBenchmark
{
    /** Room for the DTO in {@code marshalOnly}. */
    private static final int SCRATCH_LENGTH = 256;

    /**
     * A channel with a {@link BytesPublisher} and a {@link BytesSubscriber} over it, and the DTOs.
     */
    @State(Scope.Thread)
    public static class ChannelState
    {
        JmhChannels.ShmLinkChannel channel;
        BytesPublisher publisher;
        BytesSubscriber subscriber;
        final Order out = Orders.filled();
        final Order in = new Order();
        long checksum;
        final Consumer<Order> onOrder = order -> checksum += order.orderId;
        final BytesHandler onBytes = this::onBytes;
        /** Off-heap memory outside any ring, and a writing and a reading view over it, for {@code marshalOnly}. */
        final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SCRATCH_LENGTH, 64));
        final PointerBytesStore writeStore = new PointerBytesStore();
        final Bytes<Void> writeView = writeStore.bytesForWrite();
        final PointerBytesStore readStore = new PointerBytesStore();
        final Bytes<Void> readView = readStore.bytesForRead();

        private void onBytes(final Bytes<?> bytes)
        {
            checksum += bytes.readLong(bytes.readPosition());
        }

        /**
         * Creates the channel in a fresh {@code /dev/shm} directory.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            channel = new JmhChannels.ShmLinkChannel(ChannelConfig.spsc(JmhChannels.CAPACITY), 1, 1);
            publisher = new BytesPublisher(channel.publisher(0));
            subscriber = new BytesSubscriber(channel.subscriber(0));
            writeView.singleThreadedCheckDisabled(true);
            readView.singleThreadedCheckDisabled(true);
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
     * Offers the DTO, polls it into the reused DTO.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long offerPoll(final ChannelState s)
    {
        s.out.orderId++;
        offer(s);
        if (s.subscriber.poll(s.in, s.onOrder, 1) != 1)
        {
            throw new IllegalStateException("poll did not return the message just offered");
        }
        return s.checksum;
    }

    /**
     * Offers the DTO, polls it as the reused view.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long offerPollView(final ChannelState s)
    {
        s.out.orderId++;
        offer(s);
        if (s.subscriber.poll(s.onBytes, 1) != 1)
        {
            throw new IllegalStateException("poll did not return the message just offered");
        }
        return s.checksum;
    }

    /**
     * The DTO's own cost, with no channel: writes it through a view over off-heap memory, as {@link BytesPublisher}
     * writes into a claim, and reads it back through another, as {@link BytesSubscriber} reads a record.
     * {@code offerPoll} less this is what the channel adds.
     *
     * @param s the views.
     * @return the order id read back, for JMH to consume.
     */
    @Benchmark
    public long marshalOnly(final ChannelState s)
    {
        s.out.orderId++;
        s.writeStore.set(s.scratch.addressOffset(), SCRATCH_LENGTH);
        s.writeView.clear();
        s.out.writeMarshallable(s.writeView);
        final long length = s.writeView.writePosition();
        s.readStore.set(s.scratch.addressOffset(), length);
        s.readView.clear();
        s.readView.readPositionRemaining(0, length);
        s.in.readMarshallable(s.readView);
        return s.in.orderId;
    }

    private static void offer(final ChannelState s)
    {
        final long result = s.publisher.offer(s.out);
        if (result <= 0)
        {
            throw new IllegalStateException("offer returned " + result + " on a ring that cannot be full");
        }
    }
}
