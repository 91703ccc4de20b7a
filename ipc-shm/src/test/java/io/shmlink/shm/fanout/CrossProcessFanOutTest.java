package io.shmlink.shm.fanout;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.FanOutSubscriberMain;
import io.shmlink.shm.testing.TaggedMessages;
import io.shmlink.shm.testing.TaggedPublisherMain;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fan-out channels with every party in its own JVM: each subscriber checks every byte (CRC32C), each publisher's
 * order, nothing lost and nothing twice; subscribers killed and stopped while the others go on.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrossProcessFanOutTest
{
    private static final int MAX_LENGTH = 256;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-fanout-xp-");
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (final ChildJvm child : children)
        {
            new ProcessBuilder("kill", "-CONT", Long.toString(child.pid())).start().waitFor();
            child.close();
        }
    }

    private ChildJvm subscriber(final int publishers, final long count, final long every) throws IOException
    {
        final ChildJvm child = ChildJvm.start(FanOutSubscriberMain.class, shm.directory().toString(), "fan",
            Integer.toString(publishers), Long.toString(count), Long.toString(every), Integer.toString(MAX_LENGTH));
        children.add(child);
        assertEquals("ATTACHED", child.awaitLine("ATTACHED"));
        return child;
    }

    private ChildJvm publisher(final int id, final long count, final long every) throws IOException
    {
        final ChildJvm child = ChildJvm.start(TaggedPublisherMain.class, shm.directory().toString(), "fan",
            Integer.toString(id), Long.toString(count), Long.toString(every));
        children.add(child);
        return child;
    }

    private static void assertReceivedAll(final ChildJvm subscriber, final long total) throws IOException
    {
        assertEquals("OK " + total, subscriber.awaitLine("OK").replaceAll("^(OK \\d+).*", "$1"),
            "the subscriber failed or stopped short");
    }

    /** Waits for the child to say it received at least {@code count} messages (it says so every so many). */
    private static void awaitReceived(final ChildJvm child, final long count) throws IOException
    {
        while (Long.parseLong(awaitSaying(child, "RECEIVED ").substring("RECEIVED ".length())) < count)
        {
            // the next report
        }
    }

    /** Waits for a line that starts with a prefix; a child that ends first fails the test with what it printed. */
    private static String awaitSaying(final ChildJvm child, final String prefix) throws IOException
    {
        final StringBuilder printed = new StringBuilder();
        try
        {
            while (true)
            {
                final String line = child.readLine();
                if (line.startsWith(prefix))
                {
                    return line;
                }
                printed.append(line).append('\n');
            }
        }
        catch (final IOException ended)
        {
            throw new AssertionError("the child ended before it printed " + prefix + ", having printed:\n" + printed,
                ended);
        }
    }

    private static String awaitOkOrFail(final ChildJvm child) throws IOException
    {
        while (true)
        {
            final String line = child.readLine();
            if (line.startsWith("OK") || line.startsWith("FAIL"))
            {
                return line;
            }
        }
    }

    @Test
    void threeSubscriberJvmsEachReceiveAMillionMessagesFromOnePublisherJvm() throws Exception
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.SPMC, 1 << 20, MAX_LENGTH, 3));
        final List<ChildJvm> subscribers = List.of(
            subscriber(1, 1_000_000, 1_000_000), subscriber(1, 1_000_000, 1_000_000),
            subscriber(1, 1_000_000, 1_000_000));
        final ChildJvm publisher = publisher(0, 1_000_000, 1_000_000);
        for (final ChildJvm subscriber : subscribers)
        {
            assertEquals("OK 1000000", awaitOkOrFail(subscriber));
        }
        assertEquals("DONE", publisher.awaitLine("DONE"));
    }

    @Test
    void threeSubscriberJvmsEachReceiveEveryMessageOfThreePublisherJvmsInTheirOrder() throws Exception
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.MPMC, 1 << 20, MAX_LENGTH, 3));
        final List<ChildJvm> subscribers = List.of(
            subscriber(3, 200_000, 1_000_000), subscriber(3, 200_000, 1_000_000), subscriber(3, 200_000, 1_000_000));
        final List<ChildJvm> publishers =
            List.of(publisher(0, 200_000, 200_000), publisher(1, 200_000, 200_000), publisher(2, 200_000, 200_000));
        for (final ChildJvm subscriber : subscribers)
        {
            assertEquals("OK 600000", awaitOkOrFail(subscriber));
        }
        for (final ChildJvm publisher : publishers)
        {
            assertEquals("DONE", publisher.awaitLine("DONE"));
        }
    }

    @Test
    void aKilledSubscriberStopsHoldingThePublisherBackWithinASecondAndTheOthersLoseNothing() throws Exception
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.SPMC, 1 << 16, MAX_LENGTH, 3));
        final ChildJvm doomed = subscriber(1, 400_000, 1_000);
        final List<ChildJvm> survivors = List.of(subscriber(1, 400_000, 1_000_000), subscriber(1, 400_000, 1_000_000));
        final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
        long killedAt = 0;
        long longestRefusal = 0;
        try (ShmPublisher publisher = shm.registry().publisher("fan"))
        {
            for (long seq = 0; seq < 400_000; seq++)
            {
                final int length = messages.write(0, seq, scratch, 0);
                final long refusedSince = System.nanoTime();
                while (publisher.offer(scratch, 0, length) < 0)
                {
                    Thread.yield();
                }
                if (killedAt != 0)
                {
                    longestRefusal = Math.max(longestRefusal, System.nanoTime() - refusedSince);
                }
                if (seq == 10_000)
                {
                    doomed.awaitLine("RECEIVED"); // it has read some, and holds the ring from here on
                    doomed.kill();
                    killedAt = System.nanoTime();
                }
            }
        }
        for (final ChildJvm survivor : survivors)
        {
            assertEquals("OK 400000", awaitOkOrFail(survivor));
        }
        assertTrue(longestRefusal < TimeUnit.SECONDS.toNanos(1), "after the kill the publisher waited at most " +
            TimeUnit.NANOSECONDS.toMillis(longestRefusal) + " ms in one stretch; the API allows 1 s");
    }

    @Test
    void aStoppedSubscriberIsEvictedTheOthersGoOnAndItRejoinsAfterSigcont() throws Exception
    {
        shm.registry().create("fan", new ChannelConfig(ChannelMode.SPMC, 1 << 16, MAX_LENGTH, 3),
            Duration.ofSeconds(1));
        final ChildJvm stopped = subscriber(1, Long.MAX_VALUE, 2_000);
        final ChildJvm other = subscriber(1, 3_000_000, 100_000);
        final ChildJvm publisher = publisher(0, 3_000_000, 10_000);
        stopped.awaitLine("RECEIVED");
        assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(stopped.pid())).start().waitFor());
        // the other subscriber keeps receiving: the stop holds it up for the timeout at most
        final long stoppedAt = System.nanoTime();
        awaitReceived(other, 200_000);
        final long resumedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        assertEquals(0, new ProcessBuilder("kill", "-CONT", Long.toString(stopped.pid())).start().waitFor());
        final String evicted = awaitSaying(stopped, "EVICTED");
        assertTrue(evicted.contains("bytes behind"), evicted);
        awaitSaying(stopped, "REATTACHED");
        assertTrue(awaitSaying(stopped, "RESUMED").startsWith("RESUMED"));
        assertEquals("OK 3000000", awaitOkOrFail(other), "took " + resumedAfterMs + " ms to get going again");
    }
}
