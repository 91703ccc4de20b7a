package io.shmlink.aeron;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM: reads test messages from a local channel until it has seen sequence {@code last}, checking each one's
 * CRC32C and that sequences only go up. A jump (messages lost, e.g. by a bridge's crash) is counted, never hidden.
 * Args: registry-dir channel last milestone timeout-seconds. Prints {@code SUBSCRIBED}, {@code RECEIVED n} at every
 * {@code milestone} messages, and at the end {@code DONE received R gaps G missing M} (exit 0) or
 * {@code FAIL reason} (exit 1).
 */
public final class SubscriberMain
{
    private SubscriberMain()
    {
    }

    private static long received;
    private static long expected;
    private static long gaps;
    private static long missing;
    private static String failure;

    public static void main(final String[] args)
    {
        final long last = Long.parseLong(args[2]);
        final long milestone = Long.parseLong(args[3]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        final TestMessages messages = new TestMessages(AeronBridgeTest.MAX_LENGTH);
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            ShmSubscriber subscriber = registry.subscriber(args[1]))
        {
            System.out.println("SUBSCRIBED");
            while (failure == null && expected <= last)
            {
                subscriber.poll((buffer, offset, length) ->
                {
                    if (failure != null)
                    {
                        return;
                    }
                    final long sequence;
                    try
                    {
                        sequence = messages.verify(buffer, offset, length);
                    }
                    catch (final AssertionError garbage)
                    {
                        failure = garbage.getMessage() + " after sequence " + (expected - 1);
                        return;
                    }
                    if (sequence < expected)
                    {
                        failure = "sequence " + sequence + " again or out of order, expected " + expected;
                        return;
                    }
                    if (sequence > expected)
                    {
                        gaps++;
                        missing += sequence - expected;
                    }
                    expected = sequence + 1;
                    if (++received % milestone == 0)
                    {
                        System.out.println("RECEIVED " + received);
                    }
                }, 256, 100, TimeUnit.MILLISECONDS);
                if (System.nanoTime() > deadline)
                {
                    failure = "timed out at sequence " + expected + " after " + received + " messages";
                }
            }
        }
        if (failure != null)
        {
            System.out.println("FAIL " + failure);
            System.exit(1);
        }
        System.out.println("DONE received " + received + " gaps " + gaps + " missing " + missing);
    }
}
