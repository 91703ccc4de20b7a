package io.shmlink.shm.testing;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;

/**
 * Child JVM: publishes {@code committed} messages of a {@link MessageStream}, then claims space for the next one,
 * writes half of it, prints {@code CLAIMED} and dies with {@code Runtime.halt}: a publisher crash between claim and
 * commit. Args: directory channel committed seed
 */
public final class ClaimAndHaltMain
{
    public static void main(final String[] args)
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        final Publisher publisher = registry.publisher(args[1]);
        final long committed = Long.parseLong(args[2]);
        final MessageStream stream = new MessageStream(Long.parseLong(args[3]), publisher.maxMessageLength());
        StreamPublisherMain.publish(publisher, stream, 0, committed, false);
        final BufferClaim claim = new BufferClaim();
        final int length = Math.max(16, stream.length(committed));
        while (publisher.tryClaim(length, claim) < 0)
        {
            Thread.onSpinWait();
        }
        claim.buffer().setMemory(0, length / 2, (byte)0x5A);
        System.out.println("CLAIMED");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
