package io.shmlink.examples.chronicle;

import io.shmlink.shm.ShmRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The docs/CHRONICLE.md example, publisher and subscriber on two threads of this JVM instead of two processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChronicleOrdersTest
{
    @Test
    void theSubscriberReceivesEveryOrderInSequence() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmlink-chronicle-example-");
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            final CompletableFuture<String> summary = CompletableFuture.supplyAsync(
                () -> OrderSubscriber.receive(registry, "orders", 100_000, Duration.ofSeconds(20)));
            OrderPublisher.send(registry, "orders", 100_000, Duration.ofSeconds(20));
            assertEquals("received 100000 orders on 'orders', last: SELL EURUSD 1000000 @ 1.0850, notional " +
                String.format("%.0f", expectedNotional(100_000)), summary.get(30, TimeUnit.SECONDS));
        }
        finally
        {
            delete(dir);
        }
    }

    @Test
    void theSubscriberGivesUpWhenNothingArrives() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmlink-chronicle-example-");
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> OrderSubscriber.receive(registry, "quiet", 1, Duration.ofMillis(100)));
            assertEquals("nothing for 0 s after 0 orders", ex.getMessage());
        }
        finally
        {
            delete(dir);
        }
    }

    private static double expectedNotional(final int count)
    {
        double notional = 0;
        for (int i = 1; i <= count; i++)
        {
            notional += (1.0850 + (i % 100) * 0.0001) * 1_000_000;
        }
        return notional;
    }

    private static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
