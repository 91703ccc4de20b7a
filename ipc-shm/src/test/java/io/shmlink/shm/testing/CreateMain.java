package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.registry.ChannelNames;
import io.shmlink.shm.segment.CreationCrashes;

import java.nio.file.Path;

/**
 * Child JVM: creates a channel; run with {@code -Dshmlink.test.crashAtCreationStep=STEP} it halts part-way.
 * Args: directory channel
 */
public final class CreateMain
{
    public static void main(final String[] args)
    {
        final String crashStep = System.getProperty(CreationCrashes.STEP_PROPERTY);
        if (crashStep != null)
        {
            CreationCrashes.haltAt(crashStep);
        }
        ChannelNames.validate(args[1]);
        final ShmRegistry registry =
            ShmRegistry.open(Path.of(args[0]), new ShmRegistry.Options().cleanDebrisOnOpen(false));
        registry.create(args[1], ChannelConfig.mpsc(1 << 16));
        System.out.println("CREATED");
    }
}
