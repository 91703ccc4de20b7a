package io.shmlink.shm.ring;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A publisher attaching to a busy MPSC channel reads the positions while other publishers claim and the subscriber
 * consumes. Regression test for the kill soak's finding: a restarted publisher JVM read the tail, then the head,
 * found the head (moved on meanwhile) ahead of the tail it had read, and called a healthy channel corrupt.
 */
class PublisherAttachTest
{
    private static final int CAPACITY = 4096;
    private static final int ATTACHES = 2_000_000;

    @Test
    void attachingWhileOthersPublishAndTheSubscriberConsumesNeverSeesACorruptChannel() throws Exception
    {
        final ChannelSegment segment =
            InMemorySegments.create(new ChannelConfig(ChannelMode.MPSC, CAPACITY, CAPACITY / 8));
        final RingWriter busy = new MpscRingWriter(segment, (1 << 7) | 1);
        final RingReader reader = new RingReader(segment, true);
        final StallDetector stalls = new StallDetector(reader, TimeUnit.SECONDS.toNanos(1), ClaimerLiveness.UNKNOWN);
        final AtomicBoolean running = new AtomicBoolean(true);
        final long[] delivered = new long[1];
        final Thread publishing = new Thread(() ->
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            while (running.get())
            {
                busy.write(message, 0, 8);
            }
        });
        final Thread traffic = new Thread(() ->
        {
            while (running.get())
            {
                delivered[0] += reader.read((buffer, offset, length) -> {}, 1);
            }
        });
        publishing.start();
        traffic.start();
        try
        {
            for (int i = 0; i < ATTACHES; i++)
            {
                new MpscRingWriter(segment, (1 << 7) | 2); // reads and checks head and tail as it attaches
            }
        }
        finally
        {
            running.set(false);
            publishing.join();
            traffic.join();
        }
        assertTrue(delivered[0] > 0, "the channel was busy while publishers attached");
    }
}
