package io.shmlink.examples.cli;

import io.shmlink.aeron.BridgeCounters;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.LostClaimInfo;
import io.shmlink.api.PartyInfo;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.SubscriberInfo;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.segment.DirectoryPages;
import io.shmlink.shm.socket.ShmServerSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * {@code shmlink stat}: positions, counters and parties of one channel or all, once or repeatedly with rates.
 */
@Command(name = "stat", description = {
    "Shows a channel's positions (publisher, subscriber), backlog, counters (messages, bytes, back-pressure " +
        "episodes, where a publisher's refused sends in a row count once, with the refused sends; lost claims, " +
        "and the last lost claim with its claimer's session and pid) and parties (pid, alive, heartbeat age); " +
        "all channels when NAME is omitted. A server socket's request channel says so, with its live " +
        "connections.",
    "A fan-out channel (SPMC, MPMC) shows its slow-subscriber timeout (eviction timeout) and a table of its " +
        "attached subscribers: slot, pid, whether alive, position, lag behind the publishers in bytes, how " +
        "many subscribers of that slot were evicted, and heartbeat age; its subscriber position is the " +
        "slowest subscriber's.",
    "Messages and bytes count what the subscriber consumed (fan-out: all subscribers together); a live " +
        "subscriber publishes them every 100 ms, so they may lag by that much.",
    "A channel carried by an Aeron bridge (shmlink bridge) shows a line per bridge: direction, Aeron channel " +
        "and stream, messages, bytes, back-pressure, oversize, link ups and downs, evictions, lost on close.",
    "With --watch, prints one row per channel every --interval: time, backlog, messages consumed, the " +
        "consumption rate since the previous sample (msgs/s, MB/s), back-pressure episodes, lost claims, live " +
        "publishers and the subscriber (fan-out: attached out of the most admitted, as list shows it)."})
final class StatCommand extends RegistryCommand
{
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "The channel (default: every channel).")
    private String name;

    @Option(names = "--watch", description = "Repeat every --interval until interrupted or --count samples.")
    private boolean watch;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
        description = "Milliseconds between samples with --watch (default: ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Option(names = "--count", paramLabel = "N",
        description = "With --watch, stop after N samples (default: until interrupted).")
    private Integer count;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Also show the counters of the bridges (shmlink bridge) that use the external Aeron media " +
            "driver of this directory; those with an embedded driver are found in the registry directory.")
    private Path aeronDir;

    /** The previous sample of each channel, by name, for rates. */
    private final Map<String, CounterSample> previous = new HashMap<>();

    /** Width of the NAME column of --watch rows, from the first sample. */
    private int nameWidth;

    @Override
    public Integer call() throws InterruptedException
    {
        if (intervalMs < 1)
        {
            throw new ParameterException(spec.commandLine(), "--interval must be at least 1 ms: " + intervalMs);
        }
        if (count != null && count < 1)
        {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1: " + count);
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (ShmRegistry opened = registry.openExisting())
        {
            final int samples = !watch ? 1 : count != null ? count : Integer.MAX_VALUE;
            final long start = System.nanoTime();
            for (int sample = 1; sample <= samples; sample++)
            {
                if (sample > 1)
                {
                    // Fixed rate: a slow sample (a large registry, a busy machine) does not push the rest later.
                    final long due = start + TimeUnit.MILLISECONDS.toNanos(intervalMs) * (sample - 1);
                    TimeUnit.NANOSECONDS.sleep(due - System.nanoTime());
                }
                if (watch)
                {
                    printRows(out, read(opened), sample == 1);
                }
                else
                {
                    print(out, read(opened), opened.pages());
                }
                out.flush();
            }
        }
        return ShmLinkCli.OK;
    }

    private List<ChannelInfo> read(final ShmRegistry opened)
    {
        if (name == null)
        {
            return opened.list();
        }
        // A named channel that is missing is a failure, even half-way through --watch: it was deleted.
        return List.of(opened.lookup(name).orElseThrow(() -> new ChannelNotFoundException(
            "no channel '" + name + "' in " + registry.directory())));
    }

    /**
     * One row per channel and sample, under a header printed once: the time, the channel, its backlog, the
     * counters, and the consumption rate since the previous sample ({@code -} on the first, or when the channel
     * was re-created meanwhile). Cells hold no spaces, so that {@code awk} can read the columns.
     */
    private void printRows(final PrintWriter out, final List<ChannelInfo> channels, final boolean first)
    {
        final long nanoTime = System.nanoTime();
        final String time = LocalTime.now().format(CLOCK);
        if (first)
        {
            nameWidth = channels.stream().mapToInt(channel -> channel.name().length()).max().orElse(0);
            out.println(row("TIME", "NAME", "BACKLOG", "MESSAGES", "MSGS/S", "MB/S", "BACK-PRESSURE", "LOST-CLAIMS",
                "PUBS", "SUBSCRIBER"));
        }
        if (channels.isEmpty())
        {
            out.println(row(time, "-", "-", "-", "-", "-", "-", "-", "-", "no-channels"));
        }
        for (final ChannelInfo channel : channels)
        {
            final CounterSample sample = CounterSample.of(channel, nanoTime);
            final CounterSample earlier = previous.put(channel.name(), sample);
            final Optional<CounterSample.Rate> rate =
                earlier == null ? Optional.empty() : sample.rateSince(earlier);
            out.println(row(time, channel.name(), channel.backlogBytes(), channel.messages(),
                rate.map(r -> String.format(Locale.ROOT, "%.1f", r.messagesPerSecond())).orElse("-"),
                rate.map(r -> String.format(Locale.ROOT, "%.3f", r.megabytesPerSecond())).orElse("-"),
                channel.backPressureEpisodes(), channel.lostClaims(),
                channel.publishers().stream().filter(PartyInfo::alive).count(),
                ListCommand.subscriberState(channel)));
        }
    }

    private String row(final Object... cells)
    {
        return String.format(Locale.ROOT, "%-12s  %-" + Math.max(4, nameWidth) +
            "s  %10s  %12s  %12s  %10s  %13s  %11s  %4s  %s", cells);
    }

    private void print(final PrintWriter out, final List<ChannelInfo> channels, final DirectoryPages pages)
    {
        final long nowMillis = System.currentTimeMillis();
        if (channels.isEmpty())
        {
            out.println("no channels in " + registry.directory());
        }
        final List<BridgeCounters.Bridge> bridges = bridges();
        for (final ChannelInfo channel : channels)
        {
            final OptionalLong connections = ShmServerSocket.liveConnections(channel);
            out.println((connections.isPresent() ? "server socket " : "channel ") + channel.name() + ": " +
                channel.mode() + ", capacity " + SizeConverter.format(channel.capacity()) + ", max message length " +
                SizeConverter.format(channel.maxMessageLength()) +
                (channel.mode().isFanOut() ? ", up to " + count(channel.maxSubscribers(), "subscriber") : ""));
            if (connections.isPresent())
            {
                line(out, "connections", connections.getAsLong() + " live (accepted, not yet closed)");
            }
            line(out, "file", channel.file());
            line(out, "pages", pages);
            line(out, "created", Instant.ofEpochMilli(channel.creationTimeMillis()).truncatedTo(ChronoUnit.MILLIS) +
                " by pid " + channel.creatorPid());
            line(out, "publisher position", channel.publisherPosition());
            line(out, "subscriber position", channel.subscriberPosition());
            line(out, "backlog bytes", channel.backlogBytes());
            line(out, "messages", channel.messages());
            line(out, "bytes", channel.bytes());
            line(out, "back-pressure", count(channel.backPressureEpisodes(), "episode") + " (" +
                count(channel.backPressureEvents(), "refused send") + ")");
            line(out, "lost claims", channel.lostClaims());
            line(out, "last lost claim", lostClaim(channel, nowMillis));
            if (channel.publishers().isEmpty())
            {
                line(out, "publishers", "none");
            }
            for (final PartyInfo publisher : channel.publishers())
            {
                line(out, "publisher", party(publisher, nowMillis));
            }
            if (channel.mode().isFanOut())
            {
                subscribers(out, channel, nowMillis);
            }
            else
            {
                line(out, "subscriber", channel.subscriber() == null ? "none" : party(channel.subscriber(), nowMillis));
            }
            for (final BridgeCounters.Bridge bridge : bridges)
            {
                if (bridge.channel().equals(channel.name()))
                {
                    line(out, "bridge", bridge.summary());
                }
            }
        }
    }

    /**
     * The Aeron bridges of this registry's channels, from their media drivers' counters files: the embedded drivers
     * in the registry directory, and {@code --aeron-dir}'s.
     */
    private List<BridgeCounters.Bridge> bridges()
    {
        final List<BridgeCounters.Bridge> bridges = new ArrayList<>();
        try
        {
            bridges.addAll(BridgeCounters.readEmbedded(registry.directory()));
            if (aeronDir != null)
            {
                bridges.addAll(BridgeCounters.read(aeronDir));
            }
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot read the bridges' counters: " + ex, ex);
        }
        return bridges;
    }

    /**
     * A fan-out channel's timeout, then its attached subscribers, one row each under a header; cells hold no
     * spaces, as in {@code list}.
     */
    private static void subscribers(final PrintWriter out, final ChannelInfo channel, final long nowMillis)
    {
        line(out, "eviction timeout", CreateCommand.formatTimeout(channel.slowSubscriberTimeoutMillis()));
        final List<SubscriberInfo> listed = channel.subscribers();
        final SubscriberCounts counts = SubscriberCounts.of(listed);
        line(out, "subscribers", counts.attached() + " of " + channel.maxSubscribers() + " attached" +
            (counts.dead() == 0 ? "" : ", " + counts.dead() + " dead") +
            (counts.evicted() == 0 ? "" : ", " + counts.evicted() + " evicted"));
        if (listed.isEmpty())
        {
            return;
        }
        final Table table = new Table(
            "SLOT", "PID", "ALIVE", "POSITION", "LAG-BYTES", "EVICTIONS", "HEARTBEAT-AGE", "STATE");
        for (final SubscriberInfo subscriber : listed)
        {
            table.add(subscriber.slot(), subscriber.pid(), subscriber.alive() ? "yes" : "no", subscriber.position(),
                subscriber.lagBytes(), subscriber.evictions(), subscriber.lastHeartbeatMillis() == 0 ? "never" :
                    Math.max(0, nowMillis - subscriber.lastHeartbeatMillis()) + "ms",
                subscriber.evicted() ? "evicted" : "attached");
        }
        table.print(out, "    ");
    }

    private static String count(final long n, final String what)
    {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static void line(final PrintWriter out, final String label, final Object value)
    {
        out.printf("  %-21s %s%n", label, value);
    }

    private static String lostClaim(final ChannelInfo channel, final long nowMillis)
    {
        final LostClaimInfo claim = channel.lastLostClaim();
        if (claim == null)
        {
            return channel.lostClaims() == 0 ? "none" : "unreadable (being written, or its subscriber died writing it)";
        }
        final String claimer = claim.session() == 0 ? "no header (claimer unknown)" :
            "session " + claim.session() + ", " + (claim.pid() == 0 ? "pid unknown" : "pid " + claim.pid());
        return claim.length() + " bytes at position " + claim.position() + ", " + claimer + ", " +
            Math.max(0, nowMillis - claim.timeMillis()) + " ms ago";
    }

    private static String party(final PartyInfo party, final long nowMillis)
    {
        final String heartbeat = party.lastHeartbeatMillis() == 0 ? "never" :
            Math.max(0, nowMillis - party.lastHeartbeatMillis()) + " ms ago";
        return "pid " + party.pid() + " " + (party.alive() ? "alive" : "dead") + ", heartbeat " + heartbeat;
    }
}
