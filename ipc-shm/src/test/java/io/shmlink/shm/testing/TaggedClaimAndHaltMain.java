package io.shmlink.shm.testing;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Child JVM: publishes {@code committed} {@link TaggedMessages} as publisher {@code id}, claims one more, prints
 * {@code CLAIMED} and halts without committing. Args: directory channel id committed
 */
public final class TaggedClaimAndHaltMain
{
    public static void main(final String[] args)
    {
        final int id = Integer.parseInt(args[2]);
        final long committed = Long.parseLong(args[3]);
        final Publisher publisher = ShmRegistry.open(Path.of(args[0])).publisher(args[1]);
        final TaggedMessages messages = new TaggedMessages(publisher.maxMessageLength());
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[publisher.maxMessageLength()]);
        for (long seq = 0; seq < committed; seq++)
        {
            final int length = messages.write(id, seq, scratch, 0);
            while (publisher.offer(scratch, 0, length) < 0)
            {
                Thread.yield();
            }
        }
        final BufferClaim claim = new BufferClaim();
        while (publisher.tryClaim(64, claim) < 0)
        {
            Thread.yield();
        }
        claim.buffer().setMemory(0, 32, (byte)0x5A); // half a message, never committed
        System.out.println("CLAIMED");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
