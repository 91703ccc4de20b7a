package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.DeliveryLedger;
import io.shmlink.shm.testing.DurableLog;
import io.shmlink.shm.testing.SoakPublisherMain;
import io.shmlink.shm.testing.SoakSubscriberMain;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
 * ledger proves which). Each killed publisher is checked once its messages are all delivered, and its log
 * deleted, so the logs in memory ({@code /dev/shm}) are only those of the publishers alive or just killed, a few
 * hundred megabytes at most. {@code -Dshmlink.soak.rate} caps each publisher's messages a second (default
 * 250000, 0 for no limit).
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
        int id = -1;

        Role(final String channel, final boolean publisher)
        {
            this.channel = channel;
            this.publisher = publisher;
        }

        void start() throws IOException
        {
            if (publisher)
            {
                id = publisherIds++;
                channelOf[id] = channel;
                jvm = ChildJvm.start(SoakPublisherMain.class, shm.directory().toString(), channel, Integer.toString(id),
                    logFile(id).toString(), Long.toString(LOG_CAPACITY), Long.toString(rate)).labelled("pub " + id);
            }
            else
            {
                jvm = ChildJvm.start(SoakSubscriberMain.class, shm.directory().toString(), channel,
                    ledgerFile(channel).toString(), Integer.toString(MAX_PUBLISHERS), failureFile(channel).toString())
                    .labelled("sub " + channel);
            }
            final String line = jvm.awaitLine("ATTACHED");
            assertEquals("ATTACHED", line);
        }
    }

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-soak-");
    /** In memory (/dev/shm), as the registry: no disk I/O for gigabytes of logs. */
    @RegisterExtension
    final TempRegistry logs = TempRegistry.directoryOnly("shmlink-soak-logs-");
    private long rate;
    private int publisherIds;
    private final String[] channelOf = new String[MAX_PUBLISHERS];
    private final Map<String, DeliveryLedger> ledgers = new HashMap<>();
    private final List<Integer> unverified = new ArrayList<>();
    private long verified;
    private long unlogged;

    @Test
    void randomPublisherAndSubscriberJvmsKilledForMinutesLoseAndDuplicateNothingCommitted() throws Exception
    {
        final long seconds = Long.getLong("shmlink.soak.seconds", 600);
        rate = Long.getLong("shmlink.soak.rate", 250_000);
        final List<String> channels = List.of("mpsc", "spsc-0", "spsc-1");
        final List<Role> roles = new ArrayList<>();
        int publisherKills = 0;
        int subscriberKills = 0;
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("mpsc", new ChannelConfig(ChannelMode.MPSC, 1 << 18, 1024));
            registry.create("spsc-0", new ChannelConfig(ChannelMode.SPSC, 1 << 16, 512));
            registry.create("spsc-1", new ChannelConfig(ChannelMode.SPSC, 1 << 16, 512));
            for (final String channel : channels)
            {
                ledgers.put(channel, DeliveryLedger.open(ledgerFile(channel), MAX_PUBLISHERS));
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
                        unverified.add(victim.id);
                    }
                    else
                    {
                        subscriberKills++;
                    }
                    victim.start();
                    verifyDrainedPublishers();
                }
                assertAllRunning(roles);
                killPublishers(roles);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                final List<Role> subscribers = roles.stream().filter(role -> !role.publisher).toList();
                while (!unverified.isEmpty())
                {
                    assertAllRunning(subscribers);
                    assertTrue(System.nanoTime() < deadline, "publishers " + unverified +
                        ": their logged messages were not all delivered within 60 s of the end");
                    verifyDrainedPublishers();
                    Thread.yield();
                }
            }
            finally
            {
                roles.forEach(role -> role.jvm.close());
            }
            long duplicates = 0;
            long subscribers = 0;
            long lostClaims = 0;
            for (final String channel : channels)
            {
                final DeliveryLedger ledger = ledgers.get(channel);
                assertFalse(ledger.failed(), () -> channel + ": " + read(failureFile(channel)));
                duplicates += ledger.duplicates();
                subscribers += ledger.subscribers();
                lostClaims += registry.lookup(channel).orElseThrow().lostClaims();
            }
            System.out.printf("soak: %d s, %d JVMs killed (%d publishers, %d subscribers), %d publisher and %d " +
                "subscriber JVMs in all, %d messages verified (+%d sent but killed before logging), 0 lost, " +
                "%d duplicated (all inside a killed subscriber's last poll), %d lost claims%n", seconds,
                publisherKills + subscriberKills, publisherKills, subscriberKills, publisherIds, subscribers,
                verified, unlogged, duplicates, lostClaims);
            // every publisher JVM ends killed, by the chaos loop or at the end, and each can leave one claim behind
            assertTrue(lostClaims <= publisherIds, "at most one lost claim per publisher JVM killed");
            assertTrue(duplicates <= 64L * subscriberKills, "at most one poll (64 messages) again per subscriber kill");
            assertTrue(verified > 0, "messages flowed");
        }
        finally
        {
            ledgers.values().forEach(DeliveryLedger::close);
        }
    }

    /** The end: kills every publisher JVM, mid-offer or not, and marks its logged messages for verification. */
    private void killPublishers(final List<Role> roles) throws InterruptedException
    {
        for (final Role role : roles)
        {
            if (role.publisher)
            {
                role.jvm.kill();
                unverified.add(role.id);
            }
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

    /**
     * Checks each killed publisher whose logged messages the subscriber has all delivered, then deletes its log
     * (so the logs on disk stay those of the few publishers alive or just killed): delivered at least every
     * logged message, at most one more (offer returned, killed before logging it), positions only growing.
     */
    private void verifyDrainedPublishers() throws IOException
    {
        for (final Iterator<Integer> it = unverified.iterator(); it.hasNext(); )
        {
            final int id = it.next();
            final DeliveryLedger ledger = ledgers.get(channelOf[id]);
            assertFalse(ledger.failed(), () -> channelOf[id] + ": " + read(failureFile(channelOf[id])));
            try (DurableLog log = DurableLog.open(logFile(id), LOG_CAPACITY))
            {
                final long logged = log.count();
                final long delivered = ledger.delivered(id);
                if (delivered < logged)
                {
                    continue; // not yet
                }
                assertTrue(delivered <= logged + 1, channelOf[id] + " publisher " + id + ": " + delivered +
                    " delivered, but it logged " + logged + " and can have sent one more unlogged");
                for (long i = 1; i < logged; i++)
                {
                    assertTrue(log.get(i) > log.get(i - 1), "publisher " + id + ": positions go back at seq " + i);
                }
                verified += logged;
                unlogged += delivered - logged;
            }
            Files.delete(logFile(id));
            it.remove();
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
        return logs.directory().resolve("publisher-" + id + ".log");
    }

    private Path ledgerFile(final String channel)
    {
        return logs.directory().resolve(channel + ".ledger");
    }

    private Path failureFile(final String channel)
    {
        return logs.directory().resolve(channel + ".failure");
    }
}
