package io.shmlink.shm.liveness;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.testing.AttachAndWaitMain;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The liveness thread allocates nothing in steady state: every tick of a process with parties whose peers live in
 * another process (so that each tick asks {@code /proc} about them) leaves no garbage, which would otherwise make
 * an idle process collect, and first-touch new heap pages, every few minutes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LivenessTickAllocationTest
{
    /** Ticks before the measurement: first calls load classes and fill caches. */
    private static final int WARM_UP_TICKS = 200;

    /** Ticks measured. */
    private static final int MEASURED_TICKS = 200;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("tick-alloc");

    @Test
    void aSteadyStateTickAllocatesNothing() throws Exception
    {
        shm.registry().create("out", ChannelConfig.spsc(4096));
        shm.registry().create("in", ChannelConfig.spsc(4096));
        shm.registry().create("fan", ChannelConfig.spmc(4096, 4));
        final String directory = shm.directory().toString();
        try (ChildJvm outSubscriber = ChildJvm.start(AttachAndWaitMain.class, directory, "out", "subscriber");
             ChildJvm inPublisher = ChildJvm.start(AttachAndWaitMain.class, directory, "in", "publisher");
             ChildJvm fanSubscriber = ChildJvm.start(AttachAndWaitMain.class, directory, "fan", "subscriber"))
        {
            outSubscriber.awaitLine("ATTACHED");
            inPublisher.awaitLine("ATTACHED");
            fanSubscriber.awaitLine("ATTACHED");
            final ShmPublisher queuePublisher = shm.registry().publisher("out");
            final ShmSubscriber queueSubscriber = shm.registry().subscriber("in");
            final ShmPublisher fanOutPublisher = shm.registry().publisher("fan");
            assertTrue(queuePublisher.isConnected() && fanOutPublisher.isConnected(), "peers attached");

            final TickProbe probe = new TickProbe(WARM_UP_TICKS + MEASURED_TICKS);
            try (LivenessMonitor monitor = new LivenessMonitor(1))
            {
                monitor.add(queuePublisher);
                monitor.add(queueSubscriber);
                monitor.add(fanOutPublisher);
                monitor.add(probe);
                assertTrue(probe.done.await(60, TimeUnit.SECONDS), "the monitor ticked " + probe.ticks + " times");
            }
            final long bytes = probe.allocated[WARM_UP_TICKS + MEASURED_TICKS - 1] - probe.allocated[WARM_UP_TICKS - 1];
            assertEquals(0, bytes, "bytes the liveness thread allocated in " + MEASURED_TICKS + " ticks (" +
                (double)bytes / MEASURED_TICKS + " per tick)");
            // the peers were looked at all along: still connected, as the verdicts of the last ticks say
            assertTrue(queuePublisher.isConnected() && fanOutPublisher.isConnected() &&
                queueSubscriber.hasLivePublisher(), "peers still attached and alive");
        }
    }

    @Test
    void aTickOfAPublisherWhoseSubscriberDiedAllocatesNothing() throws Exception
    {
        // the dead subscriber's token stays in the slot until another subscriber attaches
        shm.registry().create("out", ChannelConfig.spsc(4096));
        final ShmPublisher publisher;
        try (ChildJvm subscriber = AttachAndWaitMain.attached(shm.directory(), "out", "subscriber"))
        {
            publisher = shm.registry().publisher("out");
            assertTrue(publisher.isConnected());
            subscriber.kill();
        }
        final TickProbe probe = new TickProbe(WARM_UP_TICKS + MEASURED_TICKS);
        try (LivenessMonitor monitor = new LivenessMonitor(1))
        {
            monitor.add(publisher); // its first tick, here, finds the subscriber dead
            assertFalse(publisher.isConnected(), "the dead subscriber was noticed");
            monitor.add(probe);
            assertTrue(probe.done.await(60, TimeUnit.SECONDS), "the monitor ticked " + probe.ticks + " times");
        }
        final long bytes = probe.allocated[WARM_UP_TICKS + MEASURED_TICKS - 1] - probe.allocated[WARM_UP_TICKS - 1];
        assertEquals(0, bytes, "bytes the liveness thread allocated in " + MEASURED_TICKS + " ticks (" +
            (double)bytes / MEASURED_TICKS + " per tick)");
        assertFalse(publisher.isConnected(), "still not connected");
    }

    @Test
    void theMeasurementSeesAnAllocationOfTheTick() throws Exception
    {
        // the negative control: a party that allocates in its tick is counted, so 0 above means nothing was
        final TickProbe probe = new TickProbe(WARM_UP_TICKS + MEASURED_TICKS);
        final Object[] kept = new Object[1];
        try (LivenessMonitor monitor = new LivenessMonitor(1))
        {
            monitor.add(() -> kept[0] = new long[4]);
            monitor.add(probe);
            assertTrue(probe.done.await(60, TimeUnit.SECONDS), "the monitor ticked " + probe.ticks + " times");
        }
        final long bytes = probe.allocated[WARM_UP_TICKS + MEASURED_TICKS - 1] - probe.allocated[WARM_UP_TICKS - 1];
        assertTrue(bytes >= 48L * MEASURED_TICKS, "a long[4] per tick, at least 48 bytes each: " + bytes);
    }

    /**
     * Added last, so that its call ends a tick: writes down the bytes the liveness thread has allocated so far, at
     * each of its calls on that thread, into an array allocated beforehand.
     */
    private static final class TickProbe implements LivenessMonitor.Watched
    {
        private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        private final long[] allocated;
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread caller = Thread.currentThread();
        private volatile int ticks;

        TickProbe(final int ticks)
        {
            assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
            this.allocated = new long[ticks];
        }

        @Override
        public void onLivenessTick()
        {
            if (Thread.currentThread() == caller)
            {
                return; // the call of add(), not a tick
            }
            final int tick = ticks;
            if (tick < allocated.length)
            {
                allocated[tick] = threads.getCurrentThreadAllocatedBytes();
                ticks = tick + 1;
                if (tick + 1 == allocated.length)
                {
                    done.countDown();
                }
            }
        }
    }
}
