package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.shm.ShmRegistry;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Child JVM: for each round, waits at a shared-memory barrier until all {@code parties} racers arrive, then
 * {@code openOrCreate}s channel {@code race-<round>} and prints {@code ROUND <round> <creatorPid>
 * <creationTime>}. Args: directory barrierFile parties rounds
 */
public final class CreationRaceMain
{
    public static void main(final String[] args)
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        final UnsafeBuffer barrier = new UnsafeBuffer(IoUtil.mapExistingFile(Path.of(args[1]).toFile(), "barrier"));
        final int parties = Integer.parseInt(args[2]);
        final int rounds = Integer.parseInt(args[3]);
        final ChannelConfig config = ChannelConfig.mpsc(1 << 16);
        for (int round = 0; round < rounds; round++)
        {
            barrier.getAndAddInt(round * 4, 1);
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (barrier.getIntVolatile(round * 4) < parties)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("barrier " + round + " never filled");
                }
                Thread.onSpinWait();
            }
            final ChannelInfo info = registry.openOrCreate("race-" + round, config);
            // attach too: a half-initialised segment would fail validation here
            registry.publisher("race-" + round).close();
            System.out.println("ROUND " + round + " " + info.creatorPid() + " " + info.creationTimeMillis());
        }
        System.out.flush();
        registry.close();
    }
}
