package io.shmlink.bench.jmh;

import io.shmlink.api.Publisher;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.infra.Control;

/**
 * MPSC offer + poll throughput: a ShmLink MPSC channel against Agrona's {@link ManyToOneRingBuffer}, both 64 KiB
 * over a {@code /dev/shm} mapping.
 * <ul>
 *   <li>{@code shmlinkOnePublisher} / {@code agronaOnePublisher}: one thread offers one message and polls it, as in
 *   {@link SpscBenchmark}; the difference to the SPSC numbers is the price of the claim's CAS.</li>
 *   <li>{@code shmlinkTwoPublishers} / {@code agronaTwoPublishers}: a JMH group of two threads, both publishing to
 *   the same ring through their own publisher (as two processes would). One of them is also the ring's only
 *   consumer: each of its ops offers one message and then drains whatever is there. The other only offers; when the
 *   ring is full it spins until the consumer makes room. The group's score is messages offered per microsecond, all
 *   of them also polled.</li>
 * </ul>
 * Why not two pure publishers and a third, polling thread: this machine class has two cores, and three busy
 * threads on two cores measure the scheduler's time slices, not the ring. Two threads on two cores still make the
 * publishers contend for the tail with a CAS and bounce its cache line between cores, which is what MPSC costs.
 * <p>
 * The pure publisher checks {@link Control#stopMeasurement} while it waits: at the end of an iteration the consumer
 * may stop first, and without the check the publisher would spin on a full ring forever.
 */
public class MpscBenchmark extends ThroughputBenchmark
{
    /** The most messages the consumer takes per poll; more than a 64 KiB ring of small messages holds. */
    public static final int DRAIN_LIMIT = 2048;

    /**
     * ShmLink, one publisher: offer one message, poll it.
     *
     * @param s the channel.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long shmlinkOnePublisher(final JmhChannels.Mpsc s)
    {
        SpscBenchmark.offer(s.publisher, s.message, s.size);
        SpscBenchmark.pollOne(s.subscriber, s.sink);
        return s.sink.checksum;
    }

    /**
     * Agrona, one publisher: write one message, read it.
     *
     * @param s the ring.
     * @return the checksum, for JMH to consume.
     */
    @Benchmark
    public long agronaOnePublisher(final JmhChannels.ManyToOne s)
    {
        SpscBenchmark.write(s.manyToOne, s.message, s.size);
        SpscBenchmark.readOne(s.manyToOne, s.sink);
        return s.sink.checksum;
    }

    /**
     * ShmLink, two publishers: the thread that also consumes. Offers one message, then drains the ring.
     *
     * @param s       the channel.
     * @param control JMH's iteration state.
     * @return messages polled, for JMH to consume.
     */
    @Benchmark
    @Group("shmlinkTwoPublishers")
    @GroupThreads(1)
    public int shmlinkPollingPublisher(final JmhChannels.MpscShared s, final Control control)
    {
        long result;
        while ((result = s.publisher.offer(s.message, 0, s.size)) == Publisher.BACK_PRESSURED)
        {
            // Full: this thread is the consumer, so it makes the room itself.
            s.subscriber.poll(s.sink, DRAIN_LIMIT);
            if (control.stopMeasurement)
            {
                return 0;
            }
        }
        checkOffered(result);
        return s.subscriber.poll(s.sink, DRAIN_LIMIT);
    }

    /**
     * ShmLink, two publishers: the thread that only offers, spinning while the ring is full.
     *
     * @param s       the channel.
     * @param control JMH's iteration state.
     * @return the position, for JMH to consume.
     */
    @Benchmark
    @Group("shmlinkTwoPublishers")
    @GroupThreads(1)
    public long shmlinkPublisher(final JmhChannels.MpscShared s, final Control control)
    {
        long result;
        while ((result = s.otherPublisher.offer(s.message, 0, s.size)) == Publisher.BACK_PRESSURED)
        {
            if (control.stopMeasurement)
            {
                return result;
            }
            Thread.onSpinWait();
        }
        checkOffered(result);
        return result;
    }

    /**
     * Agrona, two publishers: the thread that also consumes. Writes one message, then drains the ring.
     *
     * @param s       the ring.
     * @param control JMH's iteration state.
     * @return messages read, for JMH to consume.
     */
    @Benchmark
    @Group("agronaTwoPublishers")
    @GroupThreads(1)
    public int agronaPollingPublisher(final JmhChannels.ManyToOneShared s, final Control control)
    {
        while (!s.manyToOne.write(JmhChannels.MESSAGE_TYPE, s.message, 0, s.size))
        {
            s.manyToOne.read(s.sink, DRAIN_LIMIT);
            if (control.stopMeasurement)
            {
                return 0;
            }
        }
        return s.manyToOne.read(s.sink, DRAIN_LIMIT);
    }

    /**
     * Agrona, two publishers: the thread that only writes, spinning while the ring is full.
     *
     * @param s       the ring.
     * @param control JMH's iteration state.
     * @return whether the last write succeeded, for JMH to consume.
     */
    @Benchmark
    @Group("agronaTwoPublishers")
    @GroupThreads(1)
    public boolean agronaPublisher(final JmhChannels.ManyToOneShared s, final Control control)
    {
        while (!s.manyToOne.write(JmhChannels.MESSAGE_TYPE, s.message, 0, s.size))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private static void checkOffered(final long result)
    {
        if (result <= 0)
        {
            throw new IllegalStateException("offer returned " + result + ": the subscriber is gone or the channel " +
                "closed");
        }
    }
}
