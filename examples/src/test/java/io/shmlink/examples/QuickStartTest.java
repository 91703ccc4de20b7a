package io.shmlink.examples;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickStartTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-quickstart-test-");

    @Test
    void theQuickStartSendsAndReceivesOneMessage()
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            QuickStart.main(new String[0]);
        }
        finally
        {
            System.setOut(original);
        }
        assertEquals("received: hello over shared memory", captured.toString(StandardCharsets.UTF_8).trim());
    }

    @Test
    void theQuickStartsSendGivesUpOnAGoneSubscriberAfterItsBoundAndSaysSo()
    {
        final ShmRegistry registry = shm.registry();
        registry.create("gone", ChannelConfig.spsc(4096));
        registry.subscriber("gone").close();
        final Publisher publisher = registry.publisher("gone");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertEquals(Publisher.NOT_CONNECTED, publisher.offer(message, 0, 8), "the subscriber closed");

        final long start = System.nanoTime();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> QuickStart.send(publisher, message, 8, Duration.ofMillis(200)));

        assertEquals("gave up sending after 200 ms: NOT_CONNECTED, the subscriber is gone", ex.getMessage());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "it retried for its bound");
    }
}
