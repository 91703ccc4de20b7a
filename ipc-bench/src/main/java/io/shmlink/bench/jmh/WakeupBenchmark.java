package io.shmlink.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;

/**
 * The doorbell wake-up, which a subscriber of the default {@code ReaderWait} pays for every message that finds it
 * asleep: one thread sleeps in the blocking poll and another sends one message each time it sees the subscriber
 * asleep, so every message costs a ring (the publisher's {@code write} of a byte) and a wake-up (the subscriber's
 * return from {@code epoll_wait}, its drain of the byte and its announcements). Run it with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} is the bytes allocated per op of both threads together, about two ops per wake-up
 * (the polls that time out at the end of an iteration aside), and must be 0.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WakeupBenchmark extends ThroughputBenchmark
{
    /**
     * Waits until the subscriber sleeps, then sends one message, which rings its doorbell.
     *
     * @param s       the channel.
     * @param control to stop waiting when the iteration ends.
     * @return the position, or what the offer returned instead.
     */
    @Benchmark
    @Group("wakeup")
    @GroupThreads(1)
    public long ring(final JmhChannels.SpscSleeping s, final Control control)
    {
        while (!s.subscriberSleeps())
        {
            if (control.stopMeasurement)
            {
                return 0;
            }
            Thread.onSpinWait();
        }
        return s.publisher.offer(s.message, 0, s.size);
    }

    /**
     * Sleeps in the blocking poll until a message comes.
     *
     * @param s the channel.
     * @return messages received: 1, or 0 if the poll timed out as the iteration ended.
     */
    @Benchmark
    @Group("wakeup")
    @GroupThreads(1)
    public int await(final JmhChannels.SpscSleeping s)
    {
        return s.subscriber.poll(s.sink, 1, 100, TimeUnit.MILLISECONDS);
    }
}
