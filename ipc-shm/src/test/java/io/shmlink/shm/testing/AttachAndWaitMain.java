package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Child JVM: optionally creates a channel, attaches as its publisher or subscriber, prints {@code ATTACHED}, and
 * waits for its standard input to close (the parent kills it first). Args: directory channel publisher|subscriber
 * [create]
 */
public final class AttachAndWaitMain
{
    /**
     * Starts this main in a child JVM and waits until it has attached.
     *
     * @param dir     the registry directory.
     * @param channel the channel, which must exist.
     * @param role    {@code publisher} or {@code subscriber}.
     * @return the child, whose first line was {@code ATTACHED}; it waits until killed or closed.
     * @throws IOException if it cannot start or ends first.
     */
    public static ChildJvm attached(final Path dir, final String channel, final String role) throws IOException
    {
        return attached(ChildJvm.start(AttachAndWaitMain.class, dir.toString(), channel, role));
    }

    /**
     * Starts this main in a child JVM that creates the channel (SPSC, 4 KiB) unless it exists, and waits until it
     * has attached.
     *
     * @param dir     the registry directory.
     * @param channel the channel.
     * @param role    {@code publisher} or {@code subscriber}.
     * @return the child, whose first line was {@code ATTACHED}; it waits until killed or closed.
     * @throws IOException if it cannot start or ends first.
     */
    public static ChildJvm createdAndAttached(final Path dir, final String channel, final String role)
        throws IOException
    {
        return attached(ChildJvm.start(AttachAndWaitMain.class, dir.toString(), channel, role, "create"));
    }

    private static ChildJvm attached(final ChildJvm child) throws IOException
    {
        try
        {
            assertEquals("ATTACHED", child.readLine(), "the child's first line");
            return child;
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            child.close();
            throw ex;
        }
    }

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
