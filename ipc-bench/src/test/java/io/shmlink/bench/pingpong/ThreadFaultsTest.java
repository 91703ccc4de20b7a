package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Page faults by thread: a thread that touches fresh memory is named with its faults.
 */
class ThreadFaultsTest
{
    @Test
    void aThreadThatTouchesFreshMemoryIsFoundWithItsFaults() throws Exception
    {
        final CountDownLatch touch = new CountDownLatch(1);
        final CountDownLatch touched = new CountDownLatch(1);
        final CountDownLatch end = new CountDownLatch(1);
        final Thread prober = new Thread(() ->
        {
            await(touch);
            final ByteBuffer fresh = ByteBuffer.allocateDirect(16 << 20); // zeroed: every page touched here
            fresh.put(0, (byte)1);
            touched.countDown();
            await(end);
        }, "faults-probe");
        prober.start();
        final Map<String, Long> before = ThreadFaults.sample();
        touch.countDown();
        assertTrue(touched.await(30, TimeUnit.SECONDS));
        final Map<String, Long> after = ThreadFaults.sample();
        end.countDown();
        prober.join();

        final Map<String, Long> total = new HashMap<>();
        ThreadFaults.accumulate(before, after, total);
        assertTrue(total.getOrDefault("faults-probe", 0L) >= (16 << 20) / 4096 / 2,
            "16 MiB of fresh pages, at most two pages a fault: " + total);
    }

    @Test
    void theNameIsBetweenTheFirstOpeningAndTheLastClosingParenthesis()
    {
        final byte[] stat = "123 (a (b) c) S 1 2 3 4 5 6 77 8 9".getBytes(StandardCharsets.US_ASCII);

        assertEquals("a (b) c", ThreadFaults.name(stat));
    }

    @Test
    void topKeepsTheMostFirstAndBreaksTiesByName()
    {
        final Map<String, Long> total = Map.of("gc", 5L, "c2", 9L, "c1", 5L, "liveness", 1L);

        assertEquals(List.of("c2", "c1", "gc"), List.copyOf(ThreadFaults.top(total, 3).keySet()));
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
