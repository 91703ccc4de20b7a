package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Child JVM: optionally creates a channel, attaches as its publisher or subscriber, prints {@code ATTACHED}, and
 * waits for its standard input to close (the parent kills it first). Args: directory channel publisher|subscriber
 * [create]
 */
public final class AttachAndWaitMain
{
    public static void main(final String[] args) throws IOException
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        if (args.length > 3 && "create".equals(args[3]))
        {
            registry.openOrCreate(args[1], ChannelConfig.spsc(4096));
        }
        if ("publisher".equals(args[2]))
        {
            registry.publisher(args[1]);
        }
        else
        {
            registry.subscriber(args[1]);
        }
        System.out.println("ATTACHED");
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // wait for the parent
        }
    }
}
