package io.shmlink.shm.testing;

import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM for the kill soak: subscribes to a channel until it is killed, checking every message against the
 * channel's {@link DeliveryLedger} (which its killed predecessors kept), and settling the ledger after each poll
 * returns. On a failure it writes what went wrong to {@code failureFile} and exits with status 3.
 * Prints {@code ATTACHED}. Args: directory channel ledgerFile maxPublishers failureFile
 */
public final class SoakSubscriberMain
{
    public static void main(final String[] args) throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            Subscriber subscriber = registry.subscriber(args[1]);
            DeliveryLedger ledger = DeliveryLedger.open(Path.of(args[2]), Integer.parseInt(args[3])))
        {
            final DeliveryLedger.Subscriber checks =
                ledger.subscriber(registry.lookup(args[1]).orElseThrow().maxMessageLength());
            System.out.println("ATTACHED");
            System.out.flush();
            while (true)
            {
                final int messages = subscriber.poll(checks, 64);
                checks.pollReturned();
                if (checks.failure() != null)
                {
                    Files.writeString(Path.of(args[4]), checks.failure());
                    Runtime.getRuntime().halt(3);
                }
                if (messages == 0)
                {
                    Thread.yield();
                }
            }
        }
    }
}
