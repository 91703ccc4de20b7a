package io.shmlink.aeron;

import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child JVM: publishes {@code count} test messages (sequence 0 up) into a local channel.
 * Args: registry-dir channel count seed. Prints {@code PUBLISHING}, then {@code SENT count}.
 */
public final class PublisherMain
{
    private PublisherMain()
    {
    }

    public static void main(final String[] args)
    {
        final long count = Long.parseLong(args[2]);
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            ShmPublisher publisher = registry.publisher(args[1]))
        {
            System.out.println("PUBLISHING");
            AeronBridgeTest.send(publisher, 0, count, new SplittableRandom(Long.parseLong(args[3])));
            System.out.println("SENT " + count);
        }
    }
}
