package io.shmlink.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.infra.Control;

/**
 * SPSC streaming throughput with the publisher and the subscriber on their own threads (and so, on this machine's
 * two cores, their own cores), as in a real pipeline: ShmLink against Agrona's {@code OneToOneRingBuffer}, both
 * 64 KiB over a {@code /dev/shm} mapping. Each group is one publishing thread, whose op is one message sent (it
 * spins while the ring is full), and one polling thread, whose op is one poll of up to 64 messages. The score to
 * compare is the publishing method's: messages per microsecond through the ring. Unlike {@link SpscBenchmark},
 * which runs offer and poll on one thread, this one includes the cache-line transfers between cores that every
 * cross-process message pays.
 */
public class SpscThroughputBenchmark extends ThroughputBenchmark
{
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
    public long shmlinkPublish(final JmhChannels.SpscShared s, final Control control)
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
    public int shmlinkPoll(final JmhChannels.SpscShared s)
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
    public boolean agronaPublish(final JmhChannels.OneToOneShared s, final Control control)
    {
        boolean written;
        while (!(written = s.oneToOne.write(JmhChannels.MESSAGE_TYPE, s.message, 0, s.size)) &&
            !control.stopMeasurement)
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
    public int agronaPoll(final JmhChannels.OneToOneShared s)
    {
        return s.oneToOne.read(s.sink, 64);
    }
}
