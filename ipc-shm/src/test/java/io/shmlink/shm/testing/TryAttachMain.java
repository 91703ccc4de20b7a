package io.shmlink.shm.testing;

import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Child JVM: tries to attach to a channel as its publisher or subscriber and prints {@code ATTACHED}, or
 * {@code REFUSED <message>} when the registry refuses; then waits for its standard input to close. Args: directory
 * channel publisher|subscriber
 */
public final class TryAttachMain
{
    public static void main(final String[] args) throws IOException
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        try
        {
            if ("publisher".equals(args[2]))
            {
                registry.publisher(args[1]);
            }
            else
            {
                registry.subscriber(args[1]);
            }
            System.out.println("ATTACHED");
        }
        catch (final ShmLinkException ex)
        {
            System.out.println("REFUSED " + ex.getMessage());
        }
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // wait for the parent
        }
        registry.close();
    }
}
