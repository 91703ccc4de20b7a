package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.ShmTestDirectory;
import io.shmlink.shm.testing.TaggedMessages;
import io.shmlink.shm.testing.TaggedPublisherMain;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Soak, in {@code -Pstress} only: three publisher JVMs on one MPSC channel, one of them killed with SIGKILL at a
 * random moment every round and replaced by a new one, for {@code -Dshmlink.soak.seconds} (default 120). Every
 * message a publisher reported as committed (its offer returned a position) must arrive, each publisher's stream
 * in order, each message once, every byte intact.
 */
@Tag("stress")
class MpscKillSoakTest
{
    private static final int MAX_LENGTH = 1024;
    private static final int LIVE = 3;

    @Test
    void publishersKilledAtRandomForMinutesLoseNoCommittedMessage() throws Exception
    {
        final long seconds = Long.getLong("shmlink.soak.seconds", 120);
        final Path dir = ShmTestDirectory.create("shmlink-soak-");
        final int maxPublishers = 100_000;
        final List<ChildJvm> running = new ArrayList<>();
        final long[] committed = new long[maxPublishers];
        int started = 0;
        int kills = 0;
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("soak", new ChannelConfig(ChannelMode.MPSC, 1 << 18, MAX_LENGTH));
            final ShmSubscriber subscriber = (ShmSubscriber)registry.subscriber("soak");
            final TaggedMessages.Verifier verifier = new TaggedMessages.Verifier(MAX_LENGTH, maxPublishers);
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread polling = new Thread(() ->
            {
                while (!stop.get() && verifier.failure() == null)
                {
                    if (subscriber.poll(verifier, 256) == 0)
                    {
                        Thread.yield();
                    }
                }
            });
            polling.start();
            final SplittableRandom random = new SplittableRandom(7);
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            try
            {
                while (running.size() < LIVE)
                {
                    running.add(start(dir, started++));
                }
                while (System.nanoTime() < end && verifier.failure() == null)
                {
                    final int victim = random.nextInt(LIVE);
                    final ChildJvm child = running.get(victim);
                    final int id = Integer.parseInt(child.label());
                    final int lines = 1 + random.nextInt(6);
                    for (int i = 0; i < lines; i++)
                    {
                        committed[id] = Long.parseLong(child.awaitLine("COMMITTED ").substring(10));
                    }
                    child.kill();
                    kills++;
                    running.set(victim, start(dir, started++));
                }
                for (final ChildJvm child : running)
                {
                    final int id = Integer.parseInt(child.label());
                    committed[id] = Long.parseLong(child.awaitLine("COMMITTED ").substring(10));
                    child.kill();
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (int id = 0; id < started; id++)
                {
                    while (verifier.received(id) < committed[id] && verifier.failure() == null)
                    {
                        assertTrue(System.nanoTime() < deadline, "publisher " + id + " never fully arrived");
                        Thread.yield();
                    }
                }
            }
            finally
            {
                stop.set(true);
                polling.join();
                running.forEach(ChildJvm::close);
            }
            assertNull(verifier.failure());
            long total = 0;
            for (int id = 0; id < started; id++)
            {
                assertTrue(verifier.received(id) >= committed[id], "publisher " + id);
                total += verifier.received(id);
            }
            System.out.printf("soak: %d s, %d publisher JVMs, %d kills, %d messages verified, %d lost claims%n",
                seconds, started, kills, total, subscriber.lostClaims());
            assertTrue(subscriber.lostClaims() <= kills, "at most one lost claim per kill");
        }
        finally
        {
            ShmTestDirectory.delete(dir);
        }
    }

    private static ChildJvm start(final Path dir, final int id) throws java.io.IOException
    {
        return ChildJvm.start(TaggedPublisherMain.class, dir.toString(), "soak", Integer.toString(id), "1000000000",
            "2000").labelled(Integer.toString(id));
    }
}
