package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.DeliveryLedger;
import io.shmlink.shm.testing.DurableLog;
import io.shmlink.shm.testing.ShmTestDirectory;
import io.shmlink.shm.testing.SoakPublisherMain;
import io.shmlink.shm.testing.SoakSubscriberMain;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Soak, in {@code -Pstress} only: one MPSC channel with four publisher JVMs and a subscriber JVM, and two SPSC
 * channels with a publisher JVM and a subscriber JVM each, for {@code -Dshmlink.soak.seconds} (default 600).
 * Every one to four seconds a chaos loop kills a random one of these nine JVMs with SIGKILL and starts a
 * replacement (a publisher under a new id). Publishers durably log the position of every offer that returned
 * one; subscribers durably keep, in a {@link DeliveryLedger}, what they delivered. At the end every logged
 * message must have been delivered exactly once, in its publisher's order, intact; the only duplicates allowed
 * are messages a killed subscriber was handed inside the poll it died in, handed again to its successor (the
 * ledger proves which). {@code -Dshmlink.soak.rate} caps each publisher's messages a second (default 20000).
 */
@Tag("stress")
class KillSoakTest
{
    private static final int MAX_PUBLISHERS = 100_000;
    private static final long LOG_CAPACITY = 200_000_000L;

    /** One JVM role: a channel's subscriber, or one of its publishers. */
    private final class Role
    {
        final String channel;
        final boolean publisher;
        ChildJvm jvm;

        Role(final String channel, final boolean publisher)
        {
            this.channel = channel;
            this.publisher = publisher;
        }

        void start() throws IOException
        {
            if (publisher)
            {
                final int id = publisherIds++;
                channelOf[id] = channel;
                jvm = ChildJvm.start(SoakPublisherMain.class, dir.toString(), channel, Integer.toString(id),
                    logFile(id).toString(), Long.toString(LOG_CAPACITY), Long.toString(rate)).labelled("pub " + id);
            }
            else
            {
                jvm = ChildJvm.start(SoakSubscriberMain.class, dir.toString(), channel, ledgerFile(channel).toString(),
                    Integer.toString(MAX_PUBLISHERS), failureFile(channel).toString()).labelled("sub " + channel);
            }
            final String line = jvm.awaitLine("ATTACHED");
            assertEquals("ATTACHED", line);
        }
    }

    private Path dir;
    private Path logs;
    private long rate;
    private int publisherIds;
    private final String[] channelOf = new String[MAX_PUBLISHERS];

    @Test
    void randomPublisherAndSubscriberJvmsKilledForMinutesLoseAndDuplicateNothingCommitted() throws Exception
    {
        final long seconds = Long.getLong("shmlink.soak.seconds", 600);
        rate = Long.getLong("shmlink.soak.rate", 20_000);
        dir = ShmTestDirectory.create("shmlink-soak-");
        logs = Files.createTempDirectory("shmlink-soak-logs-");
        final List<String> channels = List.of("mpsc", "spsc-0", "spsc-1");
        final List<Role> roles = new ArrayList<>();
        int publisherKills = 0;
        int subscriberKills = 0;
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("mpsc", new ChannelConfig(ChannelMode.MPSC, 1 << 18, 1024));
            registry.create("spsc-0", new ChannelConfig(ChannelMode.SPSC, 1 << 16, 512));
            registry.create("spsc-1", new ChannelConfig(ChannelMode.SPSC, 1 << 16, 512));
            for (final String channel : channels)
            {
                roles.add(new Role(channel, false));
                final int publishers = channel.equals("mpsc") ? 4 : 1;
                for (int p = 0; p < publishers; p++)
                {
                    roles.add(new Role(channel, true));
                }
            }
            try
            {
                for (final Role role : roles)
                {
                    role.start();
                }
                final SplittableRandom random = new SplittableRandom(Long.getLong("shmlink.soak.seed", 7));
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                while (System.nanoTime() < end)
                {
                    // chaos pacing: kill at random moments, not a wait for anything to happen
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1000 + random.nextInt(3000)));
                    assertAllRunning(roles);
                    final Role victim = roles.get(random.nextInt(roles.size()));
                    victim.jvm.kill();
                    if (victim.publisher)
                    {
                        publisherKills++;
                    }
                    else
                    {
                        subscriberKills++;
                    }
                    victim.start();
                }
                assertAllRunning(roles);
                for (final Role role : roles)
                {
                    if (role.publisher)
                    {
                        role.jvm.kill(); // the end: stopped like the others, mid-offer or not
                    }
                }
                awaitDrained(channels);
            }
            finally
            {
                roles.forEach(role -> role.jvm.close());
            }
            verify(registry, channels, seconds, publisherKills, subscriberKills);
        }
        finally
        {
            ShmTestDirectory.delete(dir);
            ShmTestDirectory.delete(logs);
        }
    }

    private void assertAllRunning(final List<Role> roles) throws IOException
    {
        for (final Role role : roles)
        {
            if (!role.jvm.isAlive())
            {
                final Path failure = failureFile(role.channel);
                fail(role.jvm.label() + " ended by itself (exit " + role.jvm.exitValue() + ")" +
                    (Files.exists(failure) ? ": " + Files.readString(failure) : ""));
            }
        }
    }

    /** Waits until each channel's subscriber delivered all its publishers logged; the subscribers stay alive. */
    private void awaitDrained(final List<String> channels) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (final String channel : channels)
        {
            try (DeliveryLedger ledger = DeliveryLedger.open(ledgerFile(channel), MAX_PUBLISHERS))
            {
                for (int id = 0; id < publisherIds; id++)
                {
                    if (!channel.equals(channelOf[id]))
                    {
                        continue;
                    }
                    final long logged = loggedCount(id);
                    while (ledger.delivered(id) < logged && !ledger.failed())
                    {
                        assertTrue(System.nanoTime() < deadline, "publisher " + id + " on " + channel +
                            ": " + ledger.delivered(id) + " of " + logged + " logged messages delivered in 60 s");
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }

    private void verify(
        final ShmRegistry registry, final List<String> channels, final long seconds, final int publisherKills,
        final int subscriberKills) throws IOException
    {
        long verified = 0;
        long duplicates = 0;
        long lostClaims = 0;
        long subscribers = 0;
        long unlogged = 0;
        for (final String channel : channels)
        {
            assertFalse(Files.exists(failureFile(channel)), () -> channel + ": " + read(failureFile(channel)));
            final List<long[]> positions = new ArrayList<>();
            try (DeliveryLedger ledger = DeliveryLedger.open(ledgerFile(channel), MAX_PUBLISHERS))
            {
                assertFalse(ledger.failed(), channel + ": a subscriber recorded a failure");
                for (int id = 0; id < publisherIds; id++)
                {
                    if (!channel.equals(channelOf[id]))
                    {
                        continue;
                    }
                    final long[] logged = loggedPositions(id);
                    final long delivered = ledger.delivered(id);
                    assertTrue(delivered >= logged.length, channel + " publisher " + id + ": " + delivered +
                        " delivered of " + logged.length + " whose offer returned a position");
                    assertTrue(delivered <= logged.length + 1, channel + " publisher " + id + ": " + delivered +
                        " delivered, but it logged " + logged.length + " and can have sent one more unlogged");
                    for (int i = 1; i < logged.length; i++)
                    {
                        assertTrue(logged[i] > logged[i - 1], "publisher " + id + ": positions go back at seq " + i);
                    }
                    positions.add(logged);
                    verified += logged.length;
                    unlogged += delivered - logged.length;
                }
                assertNoPositionHandedOutTwice(channel, positions);
                duplicates += ledger.duplicates();
                subscribers += ledger.subscribers();
            }
            final ChannelInfo info = registry.lookup(channel).orElseThrow();
            lostClaims += info.lostClaims();
        }
        System.out.printf("soak: %d s, %d JVMs killed (%d publishers, %d subscribers), %d publisher and %d " +
            "subscriber JVMs in all, %d messages verified (+%d sent but killed before logging), 0 lost, " +
            "%d duplicated (all inside a killed subscriber's last poll), %d lost claims%n", seconds,
            publisherKills + subscriberKills, publisherKills, subscriberKills, publisherIds, subscribers, verified,
            unlogged, duplicates, lostClaims);
        // every publisher JVM ends killed, by the chaos loop or at the end, and each can leave one claim behind
        assertTrue(lostClaims <= publisherIds, "at most one lost claim per publisher JVM killed");
        assertTrue(duplicates <= 64L * subscriberKills, "at most one poll (64 messages) again per subscriber kill");
        assertTrue(verified > 0, "messages flowed");
    }

    /** Every position an offer returned on a channel names one record: no two offers got the same one. */
    private static void assertNoPositionHandedOutTwice(final String channel, final List<long[]> positions)
    {
        final long total = positions.stream().mapToLong(p -> p.length).sum();
        if (total > 50_000_000)
        {
            System.out.printf("soak: %s: %d positions, too many to check for repeats across publishers%n",
                channel, total);
            return;
        }
        final long[] all = new long[(int)total];
        int n = 0;
        for (final long[] p : positions)
        {
            System.arraycopy(p, 0, all, n, p.length);
            n += p.length;
        }
        Arrays.sort(all);
        for (int i = 1; i < all.length; i++)
        {
            assertNotEquals(all[i - 1], all[i], channel + ": position " + all[i] + " returned to two offers");
        }
    }

    private long loggedCount(final int id) throws IOException
    {
        try (DurableLog log = DurableLog.open(logFile(id), LOG_CAPACITY))
        {
            return log.count();
        }
    }

    private long[] loggedPositions(final int id) throws IOException
    {
        try (DurableLog log = DurableLog.open(logFile(id), LOG_CAPACITY))
        {
            final long[] positions = new long[(int)log.count()];
            for (int i = 0; i < positions.length; i++)
            {
                positions[i] = log.get(i);
            }
            return positions;
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    private Path logFile(final int id)
    {
        return logs.resolve("publisher-" + id + ".log");
    }

    private Path ledgerFile(final String channel)
    {
        return logs.resolve(channel + ".ledger");
    }

    private Path failureFile(final String channel)
    {
        return logs.resolve(channel + ".failure");
    }
}
