package io.shmlink.aeron;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM: reads test messages from a local channel until it has seen sequence {@code last}, checking each one's
 * CRC32C and that sequences only go up. A jump (messages lost, e.g. by a bridge's crash) is counted, never hidden.
 * With {@code repeats} as a sixth argument, a message seen once before may come once more (an outbound bridge killed
 * inside a poll of its local channel leaves that poll's messages to its successor); it is counted, and anything
 * else that goes backwards still fails.
 * Args: registry-dir channel last milestone timeout-seconds [repeats]. Prints {@code SUBSCRIBED}, {@code RECEIVED n}
 * at every {@code milestone} messages, and at the end {@code DONE received R gaps G missing M repeats P} (exit 0)
 * or {@code FAIL reason} (exit 1).
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
    private static long repeats;
    private static String failure;
    private static BitSet seen;
    private static BitSet seenTwice;

    public static void main(final String[] args)
    {
        final long last = Long.parseLong(args[2]);
        final long milestone = Long.parseLong(args[3]);
        if (args.length > 5 && args[5].equals("repeats"))
        {
            seen = new BitSet();
            seenTwice = new BitSet();
        }
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
                        if (seen != null && seen.get((int)sequence) && !seenTwice.get((int)sequence))
                        {
                            seenTwice.set((int)sequence);
                            repeats++;
                            received++;
                            return;
                        }
                        failure = "sequence " + sequence + " again or out of order, expected " + expected;
                        return;
                    }
                    if (seen != null)
                    {
                        seen.set((int)sequence);
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
        System.out.println(
            "DONE received " + received + " gaps " + gaps + " missing " + missing + " repeats " + repeats);
    }
}
