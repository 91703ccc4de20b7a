package io.shmlink.examples.cli;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.api.SubscriberEvictedException;
import io.shmlink.api.SubscriberInfo;
import io.shmlink.examples.cli.ShmLinkProcess.Result;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.socket.ShmServerSocket;
import io.shmlink.shm.socket.ShmSocket;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.shmlink.examples.cli.ShmLinkProcess.TIMEOUT_SECONDS;
import static io.shmlink.examples.cli.ShmLinkProcess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the real {@code target/shmlink.jar} with {@code java -jar} against a fresh registry directory under
 * /dev/shm, and checks what it prints and returns. Where a test needs traffic or live parties it makes them
 * in-process with {@link ShmRegistry}, on the same directory.
 */
class ShmLinkCliIT
{
    private static final List<String> WATCH_HEADER = List.of("TIME", "NAME", "BACKLOG", "MESSAGES", "MSGS/S", "MB/S",
        "BACK-PRESSURE", "LOST-CLAIMS", "PUBS", "SUBSCRIBER");
    private static final String EOF = "\u0000EOF";

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-cli-it-");
    /** For the tests that need a second directory, or a path in none. */
    @RegisterExtension
    final TempRegistry other = TempRegistry.directoryOnly("shmlink-cli-it-other-");
    private Path dir;

    @BeforeEach
    void freshDirectory()
    {
        dir = shm.directory();
    }

    @Test
    void createThenListShowsTheChannelWithModeAndCapacity()
    {
        final Result created = ok("create", "orders", "--mode", "spsc", "--capacity", "65536", "--dir", d());
        assertTrue(created.out().contains("created channel orders: SPSC, capacity 64k (65536 bytes)"),
            created::toString);
        assertTrue(Files.isRegularFile(dir.resolve("orders")), created::toString);

        final Result listed = ok("list", "--dir", d());
        final List<String> lines = listed.out().lines().collect(Collectors.toList());
        assertEquals(2, lines.size(), listed::toString);
        assertEquals(List.of("NAME", "KIND", "MODE", "CAPACITY", "MAX-MESSAGE", "BACKLOG", "PUBS-ALIVE", "PUBS-DEAD",
            "SUBSCRIBER", "CONNECTIONS"), cells(lines.get(0)), listed::toString);
        assertEquals(List.of("orders", "channel", "SPSC", "64k", "8k", "0", "0", "0", "none", "-"), cells(lines.get(1)),
            listed::toString);
    }

    @Test
    void createAcceptsSizeSuffixes()
    {
        ok("create", "sized", "--mode", "MPSC", "--capacity", "64k", "--max-message-length", "1K", "--dir", d());

        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            final ChannelInfo info = registry.lookup("sized").orElseThrow();
            assertEquals(new ChannelConfig(ChannelMode.MPSC, 65536, 1024), info.config());
        }
    }

    @ParameterizedTest
    @MethodSource("fanOutModes")
    void createMakesAFanOutChannelWithSubscribersAndTheDefaultTimeout(final String mode, final ChannelMode expected)
    {
        final Result created = ok("create", "fan", "--mode", mode, "--capacity", "64k", "--subscribers", "3",
            "--dir", d());

        assertTrue(created.out().startsWith("created channel fan: " + expected + ", capacity 64k (65536 bytes), " +
            "max message length 8k (8192 bytes), up to 3 subscribers, slow-subscriber timeout 5s, file "),
            created::toString);
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            final ChannelInfo info = registry.lookup("fan").orElseThrow();
            assertEquals(new ChannelConfig(expected, 65536, 8192, 3), info.config());
            assertEquals(5000, info.slowSubscriberTimeoutMillis());
        }
    }

    static Stream<Arguments> fanOutModes()
    {
        return Stream.of(Arguments.of("spmc", ChannelMode.SPMC), Arguments.of("mpmc", ChannelMode.MPMC));
    }

    @ParameterizedTest
    @MethodSource("slowSubscriberTimeouts")
    void createSetsTheSlowSubscriberTimeoutOfAFanOutChannel(
        final String timeout, final long expectedMillis, final String printed)
    {
        final Result created = ok("create", "fan", "--mode", "MPMC", "--capacity", "4k",
            "--slow-subscriber-timeout", timeout, "--dir", d());

        assertTrue(created.out().contains(": MPMC, capacity 4k (4096 bytes), max message length 512 (512 bytes), " +
            "up to 1 subscriber, slow-subscriber timeout " + printed + ", file "), created::toString);
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            final ChannelInfo info = registry.lookup("fan").orElseThrow();
            assertEquals(ChannelConfig.mpmc(4096, 1), info.config());
            assertEquals(expectedMillis, info.slowSubscriberTimeoutMillis());
        }
    }

    static Stream<Arguments> slowSubscriberTimeouts()
    {
        return Stream.of(Arguments.of("200ms", 200L, "200ms"), Arguments.of("PT2M", 120_000L, "2m"),
            Arguments.of("0s", 0L, "0s (never)"));
    }

    @Test
    void creatingAnExistingChannelFailsWithExitCode1AndLeavesItAlone()
    {
        ok("create", "taken", "--mode", "spsc", "--capacity", "4k", "--dir", d());

        final Result again = run("create", "taken", "--mode", "mpsc", "--capacity", "1m", "--dir", d());

        assertFailure(1, again, "shmlink create: ", "exists", "taken");
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            assertEquals(ChannelConfig.spsc(4096), registry.lookup("taken").orElseThrow().config());
        }
    }

    @Test
    void deletingAMissingChannelFailsWithExitCode1()
    {
        assertFailure(1, run("delete", "ghost", "--dir", d()), "shmlink delete: ", "no channel 'ghost'", d());
    }

    @ParameterizedTest
    @MethodSource("readingSubcommands")
    void aMissingDirectoryIsAFailureNamingItAndIsNotCreated(final List<String> subcommand)
    {
        final Path otherDir = other.directory().resolve("absent");
        final List<String> args = new ArrayList<>(subcommand);
        args.addAll(List.of("--dir", otherDir.toString()));

        assertFailure(1, run(args.toArray(String[]::new)), "shmlink " + subcommand.get(0) + ": ",
            "registry directory " + otherDir + " does not exist");
        assertFalse(Files.exists(otherDir));
    }

    static Stream<List<String>> readingSubcommands()
    {
        return Stream.of(List.of("list"), List.of("stat"), List.of("stat", "ghost"), List.of("clean"),
            List.of("clean", "--dry-run"), List.of("delete", "ghost"));
    }

    @Test
    void dirMayComeBeforeOrAfterTheSubcommandAndAfterWins()
    {
        ok("--dir", d(), "create", "early", "--mode", "spsc", "--capacity", "4k");
        assertTrue(Files.isRegularFile(dir.resolve("early")));

        for (final List<String> args : List.of(List.of("--dir", d(), "list"), List.of("list", "--dir", d())))
        {
            final Result listed = ok(args.toArray(String[]::new));
            assertEquals(List.of("early", "channel", "SPSC", "4k", "512", "0", "0", "0", "none", "-"),
                cells(listed.out().lines().skip(1).findFirst().orElseThrow()), listed::toString);
        }
        final Path otherDir = other.directory().resolve("absent");
        final Result both = ok("--dir", otherDir.toString(), "stat", "early", "--dir", d());
        assertTrue(both.out().startsWith("channel early: SPSC"), both::toString);
        assertFailure(1, run("--dir", otherDir.toString(), "list"), "registry directory " + otherDir);
    }

    @Test
    void deleteRemovesTheChannel()
    {
        ok("create", "doomed", "--mode", "spsc", "--capacity", "4k", "--dir", d());

        final Result deleted = ok("delete", "doomed", "--dir", d());

        assertTrue(deleted.out().contains("deleted channel doomed"), deleted::toString);
        assertFalse(Files.exists(dir.resolve("doomed")));
        assertEquals("no channels in " + dir, ok("list", "--dir", d()).out().trim());
    }

    static Stream<Arguments> usageErrors()
    {
        return Stream.of(
            Arguments.of(List.of("list", "--bogus"), "Unknown option: '--bogus'"),
            Arguments.of(List.of("frobnicate"), "'frobnicate'"),
            Arguments.of(List.of("create", "x", "--mode", "fifo", "--capacity", "4k"), "fifo"),
            Arguments.of(List.of("create", "x", "--mode", "spsc"), "--capacity"),
            Arguments.of(List.of("create", "x", "--mode", "spsc", "--capacity", "12q"), "'12q'"),
            Arguments.of(List.of("create", "x", "--mode", "spsc", "--capacity", "5000"), "power of two"),
            Arguments.of(List.of("create", "x", "--mode", "spsc", "--capacity", "1536m"), "at most 1g"),
            Arguments.of(List.of("create", "../x", "--mode", "spsc", "--capacity", "4k"), "invalid channel name"),
            Arguments.of(List.of("create", "x", "--mode", "spsc", "--capacity", "4k", "--subscribers", "2"),
                "maxSubscribers must be 1 for SPSC"),
            Arguments.of(List.of("create", "x", "--mode", "spmc", "--capacity", "4k", "--subscribers", "65"),
                "maxSubscribers must be in [1, 64]: 65"),
            Arguments.of(
                List.of("create", "x", "--mode", "mpsc", "--capacity", "4k", "--slow-subscriber-timeout", "1s"),
                "--slow-subscriber-timeout applies only to fan-out channels"),
            Arguments.of(List.of("create", "x", "--mode", "spmc", "--capacity", "4k", "--slow-subscriber-timeout", "5"),
                "'5'"),
            Arguments.of(List.of("clean", "--grace", "10"), "'10'"),
            Arguments.of(List.of("stat", "--watch", "--count", "0"), "--count"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsExitWith2AndSayWhatIsWrong(final List<String> args, final String expected)
    {
        final List<String> withDir = new ArrayList<>(args);
        withDir.addAll(List.of("--dir", d()));

        final Result result = run(withDir.toArray(String[]::new));

        assertFailure(2, result, expected, "--help");
        assertEquals(List.of(), channelFiles(), "a usage error changes nothing");
    }

    @Test
    void anUnknownModeIsAUsageErrorListingTheValidOnes()
    {
        final Result result = run("create", "x", "--mode", "fifo", "--capacity", "4k", "--dir", d());

        assertFailure(2, result, "--mode", "'fifo'", "SPSC, MPSC");
        assertFalse(Files.exists(dir.resolve("x")));
    }

    static Stream<Arguments> subcommandOptions()
    {
        return Stream.of(
            Arguments.of("list", List.of("--dir", "--group", "--help")),
            Arguments.of("stat", List.of("NAME", "--watch", "--interval", "--count", "--dir", "--group", "--help")),
            Arguments.of("create",
                List.of("NAME", "--mode", "--capacity", "--max-message-length", "--subscribers",
                    "--slow-subscriber-timeout", "spmc", "mpmc", "--dir", "--group", "--help")),
            Arguments.of("delete", List.of("NAME", "--dir", "--group", "--help")),
            Arguments.of("clean",
                List.of("--grace", "--unattached-grace", "--dry-run", "--dir", "--group", "--help")));
    }

    @ParameterizedTest
    @MethodSource("subcommandOptions")
    void everySubcommandHasHelpNamingItsOptions(final String subcommand, final List<String> options)
    {
        final Result result = ok(subcommand, "--help");

        assertTrue(result.out().startsWith("Usage: shmlink " + subcommand + " "), result::toString);
        for (final String option : options)
        {
            assertTrue(result.out().contains(option), () -> "help of " + subcommand + " lacks " + option + "\n" +
                result);
        }
    }

    @Test
    void topLevelHelpListsEverySubcommandAndVersionComesFromTheManifest()
    {
        final Result help = ok("--help");
        for (final String subcommand : List.of("list", "stat", "create", "delete", "clean"))
        {
            assertTrue(help.out().lines().anyMatch(line -> line.startsWith("  " + subcommand + " ")),
                () -> subcommand + " missing\n" + help);
        }

        final Result version = ok("--version");
        assertTrue(version.out().matches("shmlink \\d+\\.\\d+\\.\\d+\\S*\\R"), version::toString);
    }

    @Test
    void statShowsPositionsCountersAndParties()
    {
        final long pid = ProcessHandle.current().pid();
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("stats", ChannelConfig.spsc(4096));
            try (ShmSubscriber subscriber = registry.subscriber("stats");
                Publisher publisher = registry.publisher("stats"))
            {
                // Fill the 4 KiB ring with 100-byte messages: exactly the last offer is refused.
                final int published = publishUntilFull(publisher, 100);
                // a second refusal in a row: the same episode of back-pressure
                assertEquals(Publisher.BACK_PRESSURED, publisher.offer(new UnsafeBuffer(new byte[100]), 0, 100));
                assertEquals(published, drain(subscriber, published));
                subscriber.keepAlive(); // publish the consumed counters now

                final Result stat = ok("stat", "stats", "--dir", d());

                final ChannelInfo expected = registry.lookup("stats").orElseThrow();
                assertTrue(stat.out().startsWith("channel stats: SPSC, capacity 4k, max message length 512\n"),
                    stat::toString);
                assertEquals(String.valueOf(published), field(stat, "messages"), stat::toString);
                assertEquals(registry.pages().toString(), field(stat, "pages"), stat::toString);
                assertTrue(field(stat, "pages").endsWith("KiB pages"), stat::toString);
                assertEquals(String.valueOf(published * 100L), field(stat, "bytes"), stat::toString);
                assertEquals("1 episode (2 refused sends)", field(stat, "back-pressure"), stat::toString);
                assertEquals("0", field(stat, "lost claims"), stat::toString);
                assertEquals("none", field(stat, "last lost claim"), stat::toString);
                assertEquals("0", field(stat, "backlog bytes"), stat::toString);
                assertTrue(expected.publisherPosition() > 0);
                assertEquals(String.valueOf(expected.publisherPosition()), field(stat, "publisher position"),
                    stat::toString);
                assertEquals(String.valueOf(expected.publisherPosition()), field(stat, "subscriber position"),
                    stat::toString);
                assertTrue(field(stat, "publisher").matches("pid " + pid + " alive, heartbeat \\d+ ms ago"),
                    stat::toString);
                assertTrue(field(stat, "subscriber").matches("pid " + pid + " alive, heartbeat \\d+ ms ago"),
                    stat::toString);

                final Result list = ok("list", "--dir", d());
                assertEquals(List.of("stats", "channel", "SPSC", "4k", "512", "0", "1", "0", "alive", "-"),
                    cells(list.out().lines().skip(1).findFirst().orElseThrow()), list::toString);
            }
        }
    }

    @Test
    void aServerSocketIsListedAsOneWithItsLiveConnections() throws IOException
    {
        try (ShmRegistry registry = ShmRegistry.open(dir);
            ShmServerSocket server = ShmServerSocket.bind(registry, "pricing");
            ShmSocket client = ShmSocket.connect(registry, "pricing");
            ShmSocket accepted = server.accept())
        {
            registry.create("orders", ChannelConfig.mpsc(ShmServerSocket.REQUEST_CHANNEL_CAPACITY));

            final Result list = ok("list", "--dir", d());

            final List<List<String>> rows = list.out().lines().skip(1).map(ShmLinkCliIT::cells)
                .collect(Collectors.toList());
            assertEquals(2, rows.size(), list::toString);
            assertEquals(List.of("orders", "channel", "MPSC", "64k", "8k", "0", "0", "0", "none", "-"), rows.get(0),
                list::toString);
            // PUBS-ALIVE left out: the client's request publisher goes when the client next looks at its peer
            final List<String> pricing = rows.get(1);
            assertEquals(List.of("pricing", "server-socket", "MPSC", "alive", "1"), List.of(pricing.get(0),
                pricing.get(1), pricing.get(2), pricing.get(8), pricing.get(9)), list::toString);

            final Result stat = ok("stat", "pricing", "--dir", d());
            assertTrue(stat.out().startsWith("server socket pricing: MPSC"), stat::toString);
            assertEquals("1 live (accepted, not yet closed)", field(stat, "connections"), stat::toString);
            assertTrue(client.isConnected());
        }
    }

    @Test
    void listShowsFanOutSubscribersAttachedOutOfTheMost()
    {
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("fan", ChannelConfig.spmc(4096, 3));
            registry.create("wide", ChannelConfig.mpmc(4096, 2));
            registry.create("queue", ChannelConfig.mpsc(4096));
            try (ShmSubscriber first = registry.subscriber("fan");
                ShmSubscriber second = registry.subscriber("fan");
                Publisher publisher = registry.publisher("fan"))
            {
                publish(publisher, 3, 100);

                final Result list = ok("list", "--dir", d());

                final List<List<String>> rows = list.out().lines().skip(1).map(ShmLinkCliIT::cells)
                    .collect(Collectors.toList());
                final String backlog = String.valueOf(3 * RecordDescriptor.recordLength(100));
                assertEquals(List.of(
                    List.of("fan", "channel", "SPMC", "4k", "512", backlog, "1", "0", "2/3", "-"),
                    List.of("queue", "channel", "MPSC", "4k", "512", "0", "0", "0", "none", "-"),
                    List.of("wide", "channel", "MPMC", "4k", "512", "0", "0", "0", "0/2", "-")),
                    rows.stream().sorted((a, b) -> a.get(0).compareTo(b.get(0))).collect(Collectors.toList()),
                    list::toString);
            }
        }
    }

    @Test
    void statShowsEachFanOutSubscriberWithItsPositionAndLag()
    {
        final String pid = String.valueOf(ProcessHandle.current().pid());
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("fan", ChannelConfig.spmc(4096, 3), Duration.ofSeconds(30));
            try (ShmSubscriber reader = registry.subscriber("fan");
                ShmSubscriber idle = registry.subscriber("fan");
                Publisher publisher = registry.publisher("fan"))
            {
                publish(publisher, 10, 100);
                assertEquals(10, drain(reader, 10));
                final long tail = registry.lookup("fan").orElseThrow().publisherPosition();
                assertEquals(10 * RecordDescriptor.recordLength(100), tail, "100 bytes and the header, aligned, each");

                final Result stat = ok("stat", "fan", "--dir", d());

                assertTrue(stat.out().startsWith("channel fan: SPMC, capacity 4k, max message length 512, " +
                    "up to 3 subscribers\n"), stat::toString);
                assertEquals("30s", field(stat, "eviction timeout"), stat::toString);
                assertEquals("2 of 3 attached", field(stat, "subscribers"), stat::toString);
                assertEquals("0", field(stat, "subscriber position"), stat::toString);
                assertEquals(String.valueOf(tail), field(stat, "backlog bytes"), stat::toString);
                assertEquals(List.of(), fields(stat, "subscriber"), stat::toString);
                final List<List<String>> table = subscriberTable(stat);
                assertEquals(3, table.size(), stat::toString);
                assertEquals(List.of("SLOT", "PID", "ALIVE", "POSITION", "LAG-BYTES", "EVICTIONS", "HEARTBEAT-AGE",
                    "STATE"), table.get(0), stat::toString);
                assertEquals(List.of("0", pid, "yes", String.valueOf(tail), "0", "0"), table.get(1).subList(0, 6),
                    stat::toString);
                assertEquals(List.of("1", pid, "yes", "0", String.valueOf(tail), "0"), table.get(2).subList(0, 6),
                    stat::toString);
                assertTrue(table.get(1).get(6).matches("\\d+ms") && table.get(2).get(6).matches("\\d+ms"),
                    stat::toString);
            }
        }
    }

    @Test
    void statOfAFanOutChannelWithoutSubscribersPrintsNoTable()
    {
        ok("create", "fan", "--mode", "mpmc", "--capacity", "4k", "--subscribers", "2",
            "--slow-subscriber-timeout", "0s", "--dir", d());

        final Result stat = ok("stat", "fan", "--dir", d());

        assertEquals("0s (never)", field(stat, "eviction timeout"), stat::toString);
        assertEquals("0 of 2 attached", field(stat, "subscribers"), stat::toString);
        assertEquals(List.of(), subscriberTable(stat), stat::toString);
    }

    @Test
    void statWatchShowsFanOutSubscribersAsListDoes()
    {
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("fan", ChannelConfig.mpmc(4096, 4));
            try (ShmSubscriber first = registry.subscriber("fan");
                ShmSubscriber second = registry.subscriber("fan"))
            {
                final Result watch = ok("stat", "fan", "--watch", "--count", "1", "--dir", d());

                final List<String> lines = watch.out().lines().collect(Collectors.toList());
                assertEquals(2, lines.size(), watch::toString);
                assertEquals(WATCH_HEADER, cells(lines.get(0)), watch::toString);
                assertEquals(List.of("fan", "0", "0", "-", "-", "0", "0", "0", "2/4"),
                    cells(lines.get(1)).subList(1, 10), watch::toString);
            }
        }
    }

    @Test
    void statCountsTheEvictionsOfEachFanOutSlot()
    {
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("fan", ChannelConfig.spmc(4096, 2), Duration.ofMillis(200));
            try (ShmSubscriber keepingUp = registry.subscriber("fan");
                ShmSubscriber stalled = registry.subscriber("fan");
                ShmPublisher publisher = registry.publisher("fan"))
            {
                // The stalled subscriber never polls: once the ring is full from its head, the publisher's sends are
                // refused until its liveness thread evicts it, 200 ms on; then it is listed as evicted.
                final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
                final MessageHandler ignore = (buffer, offset, length) -> {};
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
                while (publisher.channelInfo().subscribers().stream().noneMatch(SubscriberInfo::evicted))
                {
                    publisher.offer(message, 0, 100);
                    keepingUp.poll(ignore, 100);
                    assertTrue(System.nanoTime() < deadline, "the stalled subscriber was never evicted");
                }
                final Result beforeItPolls = ok("stat", "fan", "--dir", d());
                assertEquals("1 of 2 attached, 1 evicted", field(beforeItPolls, "subscribers"),
                    beforeItPolls::toString);
                assertEquals(List.of("1", "1", "evicted"), List.of(subscriberTable(beforeItPolls).get(2).get(0),
                    subscriberTable(beforeItPolls).get(2).get(5), subscriberTable(beforeItPolls).get(2).get(7)),
                    beforeItPolls::toString);
                assertThrows(SubscriberEvictedException.class, () -> stalled.poll(ignore, 100));
                stalled.close();

                try (ShmSubscriber successor = registry.subscriber("fan"))
                {
                    final Result stat = ok("stat", "fan", "--dir", d());

                    final List<List<String>> table = subscriberTable(stat);
                    assertEquals(3, table.size(), stat::toString);
                    assertEquals(List.of(List.of("0", "0"), List.of("1", "1")),
                        List.of(List.of(table.get(1).get(0), table.get(1).get(5)),
                            List.of(table.get(2).get(0), table.get(2).get(5))),
                        "slot 1 was the stalled subscriber's, which the successor took\n" + stat);
                }
            }
        }
    }

    @Test
    void statNamesTheSessionAndProcessOfTheLastLostClaim()
    {
        final long pid = ProcessHandle.current().pid();
        try (ShmRegistry registry =
            ShmRegistry.open(dir, new ShmRegistry.Options().claimTimeout(Duration.ofMillis(50))))
        {
            registry.create("lossy", ChannelConfig.spsc(4096));
            try (ShmSubscriber subscriber = registry.subscriber("lossy");
                Publisher publisher = registry.publisher("lossy"))
            {
                assertTrue(publisher.tryClaim(20, new BufferClaim()) > 0); // claimed, never committed
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
                while (subscriber.lostClaims() == 0)
                {
                    assertEquals(0, subscriber.poll((buffer, offset, length) -> fail("nothing was committed"), 1,
                        10, TimeUnit.MILLISECONDS));
                    assertTrue(System.nanoTime() < deadline, "the stalled claim was never skipped");
                }

                final Result stat = ok("stat", "lossy", "--dir", d());

                assertEquals("1", field(stat, "lost claims"), stat::toString);
                assertTrue(field(stat, "last lost claim")
                    .matches(RecordDescriptor.recordLength(20) + " bytes at position 0, session \\d+, pid " + pid +
                        ", \\d+ ms ago"), stat::toString);
            }
        }
    }

    @Test
    void statOfAMissingChannelFailsWithExitCode1()
    {
        assertFailure(1, run("stat", "ghost", "--dir", d()), "shmlink stat: ", "no channel 'ghost'");
    }

    @Test
    void statWatchPrintsTheRequestedSamplesWithRatesFromTheDeltas()
    {
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("watched", ChannelConfig.spsc(64 * 1024));
            try (ShmSubscriber subscriber = registry.subscriber("watched");
                Publisher publisher = registry.publisher("watched"))
            {
                publish(publisher, 10, 100);
                assertEquals(10, drain(subscriber, 10));
                subscriber.keepAlive();

                final Result watch =
                    ok("stat", "watched", "--watch", "--interval", "100", "--count", "2", "--dir", d());

                // A header, then one compact row per sample
                final List<String> lines = watch.out().lines().collect(Collectors.toList());
                assertEquals(3, lines.size(), watch::toString);
                assertEquals(WATCH_HEADER, cells(lines.get(0)), watch::toString);
                final List<String> first = cells(lines.get(1));
                final List<String> second = cells(lines.get(2));
                assertTrue(first.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"), watch::toString);
                // Nothing was consumed between the samples: a rate from the totals would be 100 msgs/s, not 0.
                assertEquals(List.of("watched", "0", "10", "-", "-", "0", "0", "1", "alive"), first.subList(1, 10),
                    watch::toString);
                assertEquals(List.of("watched", "0", "10", "0.0", "0.000", "0", "0", "1", "alive"),
                    second.subList(1, 10), watch::toString);
            }
        }
    }

    @Test
    void statWatchRatesShowTrafficConsumedBetweenSamples() throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.create("busy", ChannelConfig.spsc(64 * 1024));
            try (ShmSubscriber subscriber = registry.subscriber("busy");
                Publisher publisher = registry.publisher("busy"))
            {
                final List<String> command = ShmLinkProcess.command(
                    "stat", "busy", "--watch", "--interval", "700", "--count", "3", "--dir", d());
                final Process process = ShmLinkProcess.builder(command, Map.of()).redirectErrorStream(true).start();
                final List<String> lines = new ArrayList<>();
                try
                {
                    final BlockingQueue<String> queue = readLines(process);
                    awaitLine(queue, lines, line -> line.contains(" busy "));

                    // After the first sample and, barring a pause of over a second here, before the last one.
                    publish(publisher, 40, 250);
                    assertEquals(40, drain(subscriber, 40));
                    subscriber.keepAlive();

                    awaitLine(queue, lines, EOF::equals);
                    assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                }
                finally
                {
                    process.destroyForcibly();
                }
                final Result watch = new Result(process.exitValue(), String.join("\n", lines) + "\n", "");
                assertEquals(0, watch.exitCode(), watch::toString);
                final List<List<String>> rows = watch.out().lines().skip(1).map(ShmLinkCliIT::cells)
                    .collect(Collectors.toList());
                assertEquals(3, rows.size(), watch::toString);
                assertEquals(List.of("0", "40"), List.of(rows.get(0).get(3), rows.get(2).get(3)), watch::toString);
                double maxMessagesPerSecond = 0;
                double maxMegabytesPerSecond = 0;
                for (final List<String> row : rows.subList(1, 3))
                {
                    maxMessagesPerSecond = Math.max(maxMessagesPerSecond, Double.parseDouble(row.get(4)));
                    maxMegabytesPerSecond = Math.max(maxMegabytesPerSecond, Double.parseDouble(row.get(5)));
                }
                assertTrue(maxMessagesPerSecond > 0, watch::toString);
                assertTrue(maxMegabytesPerSecond > 0, watch::toString);
            }
        }
    }

    @Test
    void cleanRemovesDebrisAndDeadChannelsPastTheGraceAndNamesEachFile() throws IOException
    {
        // Created by shmlink processes that have exited; "dead" is then attached once and let go, so that it was
        // used and has no live party: stale once idle past the grace. "ahead" was never attached to.
        ok("create", "dead", "--mode", "spsc", "--capacity", "4k", "--dir", d());
        ok("create", "ahead", "--mode", "spsc", "--capacity", "4k", "--dir", d());
        try (ShmRegistry registry = ShmRegistry.open(dir))
        {
            registry.publisher("dead").close();
            registry.create("live", ChannelConfig.spsc(4096));
            registry.publisher("live"); // attached, and so alive, until the registry closes

            // The default 10 s grace spares a channel used a moment ago.
            assertEquals("removed 0 files from " + dir + " (grace 10s, unattached grace 1h)",
                ok("clean", "--dir", d()).out().trim());
            assertTrue(Files.exists(dir.resolve("dead")));

            // Written after the registry opened, since opening removes the debris of dead creators itself.
            final Path debris = dir.resolve(".x.999999999.abcd.creating"); // no pid is that high
            Files.write(debris, new byte[4096]);

            final Result dryRun = ok("clean", "--grace", "0s", "--dry-run", "--dir", d());

            assertEquals(Set.of("would remove " + debris, "would remove " + dir.resolve("dead")),
                Set.copyOf(dryRun.out().lines().limit(2).collect(Collectors.toList())), dryRun::toString);
            assertEquals("would remove 2 files from " + dir + " (grace 0s, unattached grace 1h)",
                dryRun.out().lines().skip(2).collect(Collectors.joining("\n")), dryRun::toString);
            assertTrue(Files.exists(debris) && Files.exists(dir.resolve("dead")), "a dry run removes nothing");

            final Result clean = ok("clean", "--grace", "0s", "--dir", d());

            assertEquals(Set.of("removed " + debris, "removed " + dir.resolve("dead")),
                Set.copyOf(clean.out().lines().limit(2).collect(Collectors.toList())), clean::toString);
            assertEquals("removed 2 files from " + dir + " (grace 0s, unattached grace 1h)",
                clean.out().lines().skip(2).collect(Collectors.joining("\n")), clean::toString);
            assertFalse(Files.exists(debris), clean::toString);
            assertFalse(Files.exists(dir.resolve("dead")), clean::toString);
            assertTrue(Files.exists(dir.resolve("live")), "a channel with a live publisher stays");
            assertTrue(Files.exists(dir.resolve("ahead")), "a channel made ahead of its users stays");

            final Result unattached = ok("clean", "--unattached-grace", "0s", "--dir", d());

            assertEquals("removed " + dir.resolve("ahead") + "\nremoved 1 file from " + dir +
                " (grace 10s, unattached grace 0s)", unattached.out().trim(), unattached::toString);
            assertTrue(Files.exists(dir.resolve("live")), "its creator (this JVM) lives");
        }
    }

    @Test
    void aWorldWritableDirectoryIsRefusedWithExitCode1() throws IOException
    {
        final Path otherDir = other.directory();
        Files.setPosixFilePermissions(otherDir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertFailure(1, run("list", "--dir", otherDir.toString()), "shmlink list: ", "refusing registry directory",
            otherDir.toString(), "writable by others");
        assertFailure(1, run("create", "x", "--mode", "spsc", "--capacity", "4k", "--dir", otherDir.toString()),
            "writable by others");
        assertFalse(Files.exists(otherDir.resolve("x")));
    }

    @Test
    void groupOpensARegistrySharedWithThatGroupBeforeOrAfterTheSubcommand() throws IOException
    {
        final Path otherDir = other.directory();
        final String group = Files.readAttributes(otherDir, PosixFileAttributes.class).group().getName();
        final Path team = otherDir.resolve("team");

        ok("--group", group, "create", "shared", "--mode", "spsc", "--capacity", "4k", "--dir", team.toString());

        final PosixFileAttributes directory = Files.readAttributes(team, PosixFileAttributes.class);
        assertEquals("rwxrwx---", PosixFilePermissions.toString(directory.permissions()));
        assertEquals(group, directory.group().getName());
        final PosixFileAttributes channel = Files.readAttributes(team.resolve("shared"), PosixFileAttributes.class);
        assertEquals("rw-rw----", PosixFilePermissions.toString(channel.permissions()));
        assertEquals(group, channel.group().getName());
        assertTrue(ok("list", "--dir", team.toString(), "--group", group).out().contains("shared"));
        assertFailure(1, run("list", "--dir", team.toString()), "shmlink list: ", "refusing registry directory " +
            team + ": it is writable by its group " + group, "Options.shareWithGroup(\"" + group + "\")");
    }

    @Test
    void withoutDirTheRegistryIsShmlinkDirFromTheEnvironment()
    {
        final Result created = ShmLinkProcess.run(
            ShmLinkProcess.command("create", "from-env", "--mode", "spsc", "--capacity", "4k"),
            Map.of("SHMLINK_DIR", d()));

        assertEquals(0, created.exitCode(), created::toString);
        assertTrue(Files.isRegularFile(dir.resolve("from-env")), created::toString);
    }

    private String d()
    {
        return dir.toString();
    }

    private List<String> channelFiles()
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Result ok(final String... args)
    {
        final Result result = run(args);
        assertEquals(0, result.exitCode(), () -> Arrays.toString(args) + "\n" + result);
        assertEquals("", result.err(), () -> Arrays.toString(args) + "\n" + result);
        return result;
    }

    /** A failure is one exit code, messages on stderr only, and no stack trace. */
    private static void assertFailure(final int exitCode, final Result result, final String... expectedInStderr)
    {
        assertEquals(exitCode, result.exitCode(), result::toString);
        assertEquals("", result.out(), result::toString);
        for (final String expected : expectedInStderr)
        {
            assertTrue(result.err().contains(expected), () -> "stderr lacks '" + expected + "'\n" + result);
        }
        assertFalse(result.err().contains("\tat ") || result.err().contains("Exception in thread"), result::toString);
    }

    private static List<String> cells(final String row)
    {
        return List.of(row.trim().split("\\s+"));
    }

    /** The value of the only line of {@code stat} output with this label. */
    private static String field(final Result result, final String label)
    {
        final List<String> values = fields(result, label);
        assertEquals(1, values.size(), () -> label + "\n" + result);
        return values.get(0);
    }

    /**
     * Values of {@code stat}'s lines with this label, in order. The label is padded to 21 characters, so that
     * "publisher" does not match "publisher position".
     */
    private static List<String> fields(final Result result, final String label)
    {
        final Pattern line = Pattern.compile("^  " + Pattern.quote(label) + " {" + (22 - label.length()) + "}(\\S.*)$");
        return result.out().lines()
            .map(line::matcher)
            .filter(Matcher::matches)
            .map(matcher -> matcher.group(1))
            .collect(Collectors.toList());
    }

    /** The cells of each line of {@code stat}'s subscriber table (indented 4), its header first. */
    private static List<List<String>> subscriberTable(final Result result)
    {
        return result.out().lines()
            .filter(line -> line.startsWith("    "))
            .map(ShmLinkCliIT::cells)
            .collect(Collectors.toList());
    }

    private static int publishUntilFull(final Publisher publisher, final int length)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        for (int published = 0; published < 10_000; published++)
        {
            final long result = publisher.offer(message, 0, length);
            if (result < 0)
            {
                assertEquals(Publisher.BACK_PRESSURED, result);
                assertTrue(published > 0);
                return published;
            }
        }
        return fail("the ring never filled");
    }

    private static void publish(final Publisher publisher, final int count, final int length)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < count; i++)
        {
            final long result = publisher.offer(message, 0, length);
            assertTrue(result > 0, "offer returned " + result);
        }
    }

    /** In-process and already committed, so a few polls get everything; the bound only stops a broken ring. */
    private static int drain(final Subscriber subscriber, final int expected)
    {
        final MessageHandler ignore = (buffer, offset, length) -> {};
        int received = 0;
        for (int polls = 0; polls < 10_000 && received < expected; polls++)
        {
            received += subscriber.poll(ignore, expected - received);
        }
        return received;
    }

    /** Lines of the process's output as they come; {@link #EOF} at the end. */
    private static BlockingQueue<String> readLines(final Process process)
    {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                for (String line = in.readLine(); line != null; line = in.readLine())
                {
                    queue.add(line);
                }
            }
            catch (final IOException ex)
            {
                queue.add("(reading the output failed: " + ex + ")");
            }
            finally
            {
                queue.add(EOF);
            }
        }, "shmlink-output");
        reader.setDaemon(true);
        reader.start();
        return queue;
    }

    /** Moves lines to {@code seen} until one matches; the timeout bounds a hung process, it does not pace. */
    private static void awaitLine(
        final BlockingQueue<String> queue, final List<String> seen, final Predicate<String> until)
        throws InterruptedException
    {
        while (true)
        {
            final String line = queue.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, () -> "no output for " + TIMEOUT_SECONDS + " s after:\n" + String.join("\n", seen));
            if (until.test(line))
            {
                if (!EOF.equals(line))
                {
                    seen.add(line);
                }
                return;
            }
            if (EOF.equals(line))
            {
                fail("output ended before the expected line:\n" + String.join("\n", seen));
            }
            seen.add(line);
        }
    }
}
