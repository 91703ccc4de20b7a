package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;

/**
 * Fan-out offer cost: a ShmLink SPMC channel of 64 KiB over a {@code /dev/shm} mapping with 1, 2, 3 or 4 subscribers
 * attached ({@code subscribers}), 32-byte and 1 KiB messages ({@code size}).
 * <p>
 * <b>What an op is.</b> One thread offers one message and then has every subscriber poll it ({@code offerPoll}), or
 * offers {@value #BATCH} messages and then has every subscriber drain them ({@code offerPollBatch}; the score is
 * still per message). So an op is one offer plus {@code subscribers} polls of the same message: the publisher's
 * whole cost (the claim, the copy, the commit, the wake-up check, and, once per ring, the refresh of its cached gate
 * from every subscriber's head) and every subscriber's. The score does not isolate the offer; the parameter sweep
 * separates it: the step from {@code n} to {@code n + 1} subscribers is one more subscriber's poll (plus any growth
 * of the publisher's gate refresh), and what is left at one subscriber, against {@link SpscBenchmark#shmlink} (the
 * same op on an SPSC channel of the same size, same handler), is what fan-out costs a publisher and its subscriber
 * over a queue.
 * <p>
 * <b>Why one thread.</b> Offer alone, with the subscribers polling on threads of their own, would take one thread
 * per subscriber plus the publisher's: up to five spinning threads, and the target machines have two cores, so the
 * score would be the scheduler's time slices. On one thread no two threads compete for a core and nothing else is
 * timed, as in {@link SpscBenchmark}; the cache-line transfers between cores that a cross-process fan-out pays are
 * what the ping-pong harness's {@code shmlink-spmc-N} transports measure.
 * <p>
 * Each subscriber's handler reads the message's first long ({@link MessageSink}, one per subscriber); the tear-down
 * checks that every subscriber received the same messages. {@code -prof gc} shows that the
 * hot path allocates nothing: {@code gc.alloc.rate.norm} is the bytes per op.
 */
public class FanOutBenchmark extends ThroughputBenchmark
{
    /** Messages per batch: 32 messages of 1 KiB (1,032 bytes with header) fill half a 64 KiB ring. */
    public static final int BATCH = SpscBenchmark.BATCH;

    /**
     * A ShmLink SPMC channel with its one publisher and its subscribers, all on the benchmark thread.
     */
    @State(Scope.Thread)
    public static class FanOutState
    {
        /** Subscribers attached, each of which polls every message. */
        @Param({"1", "2", "3", "4"})
        public int subscribers;

        /** Message length in bytes. */
        @Param({"32", "1024"})
        public int size;

        JmhChannels.ShmLinkChannel channel;
        Publisher publisher;
        Subscriber[] readers;
        MessageSink[] sinks;
        UnsafeBuffer message;

        /**
         * Creates the channel in a fresh {@code /dev/shm} directory, with room for exactly {@code subscribers}.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            channel = new JmhChannels.ShmLinkChannel(
                ChannelConfig.spmc(JmhChannels.CAPACITY, subscribers), 1, subscribers);
            publisher = channel.publisher(0);
            readers = new Subscriber[subscribers];
            sinks = new MessageSink[subscribers];
            for (int i = 0; i < subscribers; i++)
            {
                readers[i] = channel.subscriber(i);
                sinks[i] = new MessageSink();
            }
            message = JmhChannels.message(size);
        }

        /**
         * Closes the channel and deletes its directory, then checks that every subscriber received the same messages.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            channel.close();
            for (int i = 1; i < subscribers; i++)
            {
                if (sinks[i].messages != sinks[0].messages || sinks[i].checksum != sinks[0].checksum)
                {
                    throw new IllegalStateException("subscriber " + i + " received " + sinks[i].messages +
                        " messages, subscriber 0 " + sinks[0].messages);
                }
            }
        }
    }

    /**
     * Offer one message, then every subscriber polls it.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long offerPoll(final FanOutState s)
    {
        SpscBenchmark.offer(s.publisher, s.message, s.size);
        final Subscriber[] readers = s.readers;
        final MessageSink[] sinks = s.sinks;
        for (int i = 0; i < readers.length; i++)
        {
            SpscBenchmark.pollOne(readers[i], sinks[i]);
        }
        return sinks[0].checksum;
    }

    /**
     * Offer {@value #BATCH} messages, then every subscriber drains them.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long offerPollBatch(final FanOutState s)
    {
        for (int i = 0; i < BATCH; i++)
        {
            SpscBenchmark.offer(s.publisher, s.message, s.size);
        }
        final Subscriber[] readers = s.readers;
        final MessageSink[] sinks = s.sinks;
        for (int r = 0; r < readers.length; r++)
        {
            int received = 0;
            int polls = 0;
            while (received < BATCH)
            {
                final int n = readers[r].poll(sinks[r], BATCH - received);
                received += n;
                if (n == 0 && ++polls > 3)
                {
                    throw new IllegalStateException("subscriber " + r + " did not receive the batch just offered");
                }
            }
        }
        return sinks[0].checksum;
    }
}
