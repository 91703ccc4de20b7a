package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.wait.DoorbellAddress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Child JVM, usually run as another user: one member of a group sharing a registry
 * ({@code Options.shareWithGroup}). It prints what it did and waits for the parent's commands on its standard
 * input, so parent and child synchronise on lines, never on sleeps. Commands:
 * <ul>
 *   <li>{@code publish DIR GROUP CHANNEL COUNT SEED}: opens (creating) the registry and an SPSC channel, attaches
 *   a publisher, prints {@code ATTACHED}; on the line {@code go} publishes {@code COUNT} messages of a
 *   {@link MessageStream}, prints {@code DONE}, then tries to connect to every other process's doorbell socket
 *   ({@code BELL <name> OK} or {@code BELL <name> REFUSED <why>}, then {@code PROBED}); prints
 *   {@code SUBSCRIBER-DEAD} once its liveness thread has found the subscriber dead; on the line {@code clean}
 *   removes stale files ({@link #clean}).</li>
 *   <li>{@code subscribe DIR GROUP CHANNEL COUNT SEED}: attaches the channel's subscriber, prints
 *   {@code ATTACHED}, receives {@code COUNT} messages with blocking polls (sleeping on its doorbell) and checks
 *   each (sequence and CRC32C), prints {@code OK <count>} or {@code FAIL <what>}; prints
 *   {@code PUBLISHER-DEAD} once its liveness thread has found the publisher dead, closes the subscriber, and on
 *   the line {@code clean} removes stale files.</li>
 *   <li>{@code clean DIR GROUP}: removes stale files at once (none when the registry opens).</li>
 *   <li>{@code delete DIR GROUP CHANNEL}: deletes a channel, printing {@code DELETED <true|false>} or
 *   {@code REFUSED <message>}.</li>
 *   <li>{@code open GROUP DIR...}: opens each registry, printing {@code OPENED <dir>} or
 *   {@code REFUSED <dir> <message>}.</li>
 * </ul>
 * Cleaning uses a stale grace of 0 and prints {@code REMOVED <file names, comma-separated, sorted>}.
 */
public final class GroupMemberMain
{
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(60);

    private static final BufferedReader IN =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "publish" -> publish(Path.of(args[1]), args[2], args[3], Long.parseLong(args[4]),
                Long.parseLong(args[5]));
            case "subscribe" -> subscribe(Path.of(args[1]), args[2], args[3], Long.parseLong(args[4]),
                Long.parseLong(args[5]));
            case "clean" ->
            {
                // not on open: this cleanup is to name everything it removes
                try (ShmRegistry registry = ShmRegistry.open(Path.of(args[1]), new ShmRegistry.Options()
                    .shareWithGroup(args[2]).staleGrace(Duration.ZERO).cleanDebrisOnOpen(false)))
                {
                    clean(registry);
                }
            }
            case "delete" ->
            {
                try (ShmRegistry registry = open(Path.of(args[1]), args[2]))
                {
                    say("DELETED " + registry.delete(args[3]));
                }
                catch (final ShmLinkException ex)
                {
                    say("REFUSED " + ex.getMessage());
                }
            }
            case "open" ->
            {
                for (int i = 2; i < args.length; i++)
                {
                    try (ShmRegistry ignored = open(Path.of(args[i]), args[1]))
                    {
                        say("OPENED " + args[i]);
                    }
                    catch (final ShmLinkException ex)
                    {
                        say("REFUSED " + args[i] + " " + ex.getMessage());
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void publish(final Path dir, final String group, final String channel, final long count,
        final long seed) throws IOException
    {
        try (ShmRegistry registry = open(dir, group))
        {
            registry.openOrCreate(channel, ChannelConfig.spsc(64 * 1024));
            final ShmPublisher publisher = registry.publisher(channel);
            say("ATTACHED");
            expect("go");
            StreamPublisherMain.publish(publisher, new MessageStream(seed, publisher.maxMessageLength()), 0, count,
                false);
            say("DONE");
            probeDoorbells(dir);
            final long deadline = System.nanoTime() + WAIT_NS;
            while (publisher.isConnected())
            {
                if (System.nanoTime() - deadline > 0)
                {
                    say("TIMEOUT the subscriber still looks alive");
                    return;
                }
                Thread.onSpinWait();
            }
            say("SUBSCRIBER-DEAD");
            expect("clean");
            clean(registry);
            expect(null);
        }
    }

    private static void subscribe(final Path dir, final String group, final String channel, final long count,
        final long seed) throws IOException
    {
        try (ShmRegistry registry = open(dir, group))
        {
            final ShmSubscriber subscriber = registry.subscriber(channel);
            say("ATTACHED");
            final StreamVerifier verifier = new StreamVerifier(
                new MessageStream(seed, registry.lookup(channel).orElseThrow().maxMessageLength()), 0);
            long deadline = System.nanoTime() + WAIT_NS;
            while (verifier.next() < count && verifier.failure() == null)
            {
                if (subscriber.poll(verifier, 256, 100, TimeUnit.MILLISECONDS) > 0)
                {
                    deadline = System.nanoTime() + WAIT_NS;
                }
                else if (System.nanoTime() - deadline > 0)
                {
                    break;
                }
            }
            say(verifier.failure() != null ? "FAIL " + verifier.failure() :
                verifier.next() == count ? "OK " + count : "FAIL received " + verifier.next() + " of " + count);
            deadline = System.nanoTime() + WAIT_NS;
            while (subscriber.publishers() != ShmSubscriber.Publishers.DEAD)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    say("TIMEOUT the publisher still looks alive");
                    return;
                }
                Thread.onSpinWait();
            }
            say("PUBLISHER-DEAD");
            subscriber.close();
            expect("clean");
            clean(registry);
            expect(null);
        }
    }

    /** Connects to every doorbell socket in the directory that is not this process's, as a publisher rings. */
    private static void probeDoorbells(final Path dir) throws IOException
    {
        final List<Path> bells;
        try (Stream<Path> files = Files.list(dir))
        {
            bells = files.filter(path -> path.getFileName().toString().startsWith(DoorbellAddress.PREFIX)).sorted()
                .toList();
        }
        for (final Path bell : bells)
        {
            try (SocketChannel ring = SocketChannel.open(StandardProtocolFamily.UNIX))
            {
                ring.connect(UnixDomainSocketAddress.of(bell));
                say("BELL " + bell.getFileName() + " OK");
            }
            catch (final IOException ex)
            {
                say("BELL " + bell.getFileName() + " REFUSED " + ex);
            }
        }
        say("PROBED");
    }

    private static void clean(final ShmRegistry registry)
    {
        final List<Path> removed = registry.removeStale();
        say("REMOVED " + removed.stream().map(path -> path.getFileName().toString()).sorted()
            .collect(Collectors.joining(",")));
    }

    private static ShmRegistry open(final Path dir, final String group)
    {
        return ShmRegistry.open(dir, new ShmRegistry.Options().shareWithGroup(group).staleGrace(Duration.ZERO));
    }

    /** Waits for a line from the parent; null waits for its end (the parent kills this process first). */
    private static void expect(final String line) throws IOException
    {
        final String got = IN.readLine();
        if (line != null && !line.equals(got))
        {
            throw new IllegalStateException("expected '" + line + "' from the parent, got '" + got + "'");
        }
        while (line == null && got != null && IN.readLine() != null)
        {
            // wait for the end of input
        }
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
