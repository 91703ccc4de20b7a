package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JUnit 5 extension for a bridged channel's whole flow, one JVM a stage: {@link PublisherMain} -> channel
 * {@code src} in registry directory A -> outbound {@link BridgeMain} -> Aeron -> inbound {@link BridgeMain} ->
 * channel {@code dst} in registry directory B -> {@link SubscriberMain}. Each test gets two fresh directories;
 * after it, every child still running is killed, and then the directories are deleted.
 */
final class CrossProcessFlow implements BeforeEachCallback, AfterEachCallback
{
    /** What {@link SubscriberMain} prints at the end. */
    private static final Pattern DONE =
        Pattern.compile("DONE received (\\d+) gaps (\\d+) missing (\\d+) repeats (\\d+)");
    private static final String BRIDGE_UP = "BRIDGE UP ";

    private final TempRegistry a;
    private final TempRegistry b;
    private final List<ChildJvm> children = new ArrayList<>();
    private final Map<ChildJvm, Path> driverDirectories = new HashMap<>();
    private List<String> outboundLauncher = List.of();
    private List<String> inboundLauncher = List.of();

    /**
     * @param prefix of the directories' names, followed by {@code a-} and {@code b-}.
     */
    CrossProcessFlow(final String prefix)
    {
        a = TempRegistry.directoryOnly(prefix + "a-");
        b = TempRegistry.directoryOnly(prefix + "b-");
    }

    /**
     * Runs the outbound bridge in one network namespace and the inbound bridge in another ({@code ip netns exec});
     * the publisher and the subscriber stay in this JVM's.
     *
     * @param outbound the outbound bridge's namespace.
     * @param inbound  the inbound bridge's namespace.
     * @return this.
     */
    CrossProcessFlow bridgesInNamespaces(final String outbound, final String inbound)
    {
        outboundLauncher = List.of("ip", "netns", "exec", outbound);
        inboundLauncher = List.of("ip", "netns", "exec", inbound);
        return this;
    }

    /**
     * @return directory A, of the publisher and the outbound bridge.
     */
    Path dirA()
    {
        return a.directory();
    }

    /**
     * @return directory B, of the inbound bridge and the subscriber.
     */
    Path dirB()
    {
        return b.directory();
    }

    /**
     * Creates channel {@code src} (SPSC, 1 MiB) in A and {@code dst} in B.
     *
     * @param destination the configuration of {@code dst}.
     */
    void createChannels(final ChannelConfig destination)
    {
        try (ShmRegistry registryA = ShmRegistry.open(dirA()); ShmRegistry registryB = ShmRegistry.open(dirB()))
        {
            registryA.create("src", ChannelConfig.spsc(1 << 20));
            registryB.create("dst", destination);
        }
    }

    /**
     * Starts a child JVM, killed after the test if it still runs.
     *
     * @param launcher a command that runs the {@code java} command line after it; empty for none.
     * @param label    the child's name.
     * @param main     the class whose main runs.
     * @param args     its arguments.
     * @return the running child.
     * @throws IOException if it cannot start.
     */
    ChildJvm start(final List<String> launcher, final String label, final Class<?> main, final String... args)
        throws IOException
    {
        final ChildJvm child = ChildJvm.startUnder(launcher, List.of(), main, args).labelled(label);
        children.add(child);
        return child;
    }

    /**
     * Starts {@link SubscriberMain} on {@code dst} and waits until it has subscribed.
     *
     * @param last           the last sequence it waits for.
     * @param milestone      every how many messages it prints {@code RECEIVED n}.
     * @param timeoutSeconds how long it may take.
     * @param more           further arguments: {@code repeats} to let a message come twice.
     * @return the subscribed child.
     * @throws IOException if it cannot start or ends first.
     */
    ChildJvm subscriber(final long last, final long milestone, final long timeoutSeconds, final String... more)
        throws IOException
    {
        final List<String> args = new ArrayList<>(List.of(dirB().toString(), "dst", Long.toString(last),
            Long.toString(milestone), Long.toString(timeoutSeconds)));
        args.addAll(List.of(more));
        final ChildJvm subscriber = start(List.of(), "subscriber", SubscriberMain.class, args.toArray(String[]::new));
        subscriber.awaitLine("SUBSCRIBED");
        return subscriber;
    }

    /**
     * Starts an inbound bridge, {@code uri} to {@code dst}, and waits until it is up.
     *
     * @param label  the child's name.
     * @param uri    where it receives.
     * @param stream the Aeron stream.
     * @return the child, whose embedded driver's directory {@link #driverDirectory} tells.
     * @throws IOException if it cannot start or ends first.
     */
    ChildJvm inbound(final String label, final String uri, final int stream) throws IOException
    {
        return bridge(inboundLauncher, label, "in", dirB(), "dst", uri, stream);
    }

    /**
     * Starts an outbound bridge, {@code src} to {@code uri}, and waits until it is up.
     *
     * @param label  the child's name.
     * @param uri    where it sends.
     * @param stream the Aeron stream.
     * @return the child, whose embedded driver's directory {@link #driverDirectory} tells.
     * @throws IOException if it cannot start or ends first.
     */
    ChildJvm outbound(final String label, final String uri, final int stream) throws IOException
    {
        return bridge(outboundLauncher, label, "out", dirA(), "src", uri, stream);
    }

    private ChildJvm bridge(final List<String> launcher, final String label, final String direction,
        final Path dir, final String channel, final String uri, final int stream) throws IOException
    {
        final ChildJvm bridge = start(launcher, label, BridgeMain.class, direction, dir.toString(), channel, uri,
            Integer.toString(stream));
        driverDirectories.put(bridge, Path.of(bridge.awaitLine(BRIDGE_UP).substring(BRIDGE_UP.length())));
        return bridge;
    }

    /**
     * @param bridge a bridge started by {@link #inbound} or {@link #outbound}.
     * @return the directory of its embedded media driver, as it printed it.
     */
    Path driverDirectory(final ChildJvm bridge)
    {
        return driverDirectories.get(bridge);
    }

    /**
     * Starts {@link PublisherMain}, which publishes {@code count} test messages into {@code src}.
     *
     * @param count how many.
     * @param seed  of their random lengths.
     * @return the child, publishing.
     * @throws IOException if it cannot start.
     */
    ChildJvm publisher(final long count, final long seed) throws IOException
    {
        return start(List.of(), "publisher", PublisherMain.class, dirA().toString(), "src", Long.toString(count),
            Long.toString(seed));
    }

    /**
     * What {@link SubscriberMain} counted, as its {@code DONE} line says.
     *
     * @param line     the whole line.
     * @param received messages received.
     * @param gaps     sequence gaps seen.
     * @param missing  sequences never received.
     * @param repeats  messages received again.
     */
    record Done(String line, long received, long gaps, long missing, long repeats)
    {
    }

    /**
     * Waits for the subscriber's last line and checks that it is a {@code DONE} line.
     *
     * @param subscriber a child started by {@link #subscriber}.
     * @return the line's counts.
     * @throws IOException if the subscriber ends first.
     */
    static Done awaitDone(final ChildJvm subscriber) throws IOException
    {
        final String line = subscriber.awaitLine("DONE");
        final Matcher done = DONE.matcher(line);
        assertTrue(done.matches(), line);
        return new Done(line, Long.parseLong(done.group(1)), Long.parseLong(done.group(2)),
            Long.parseLong(done.group(3)), Long.parseLong(done.group(4)));
    }

    /**
     * Kills every child still running and waits until it is gone; after each test, or before, for a test that must
     * clean up after its children.
     */
    void killChildren()
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        children.clear();
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws Exception
    {
        a.beforeEach(context);
        b.beforeEach(context);
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        try
        {
            killChildren();
        }
        finally
        {
            try
            {
                a.afterEach(context);
            }
            finally
            {
                b.afterEach(context);
            }
        }
    }
}
