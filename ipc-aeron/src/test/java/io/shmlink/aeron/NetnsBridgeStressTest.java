package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.ShmTestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bridges between two network namespaces joined by a veth pair with 1% packet loss ({@code tc netem}) on one
 * end: still in order, once. Needs root ({@code ip netns}, {@code tc}); runs under {@code -Pstress} only; skipped
 * where no namespace can be made, and run without loss (saying so) where netem is missing. The namespaces (and with
 * them the veth pair) are removed at the end, even on failure. {@code -Dshmlink.aeron.netns.messages=N} (default
 * 1,000,000).
 */
@Tag("stress")
class NetnsBridgeStressTest
{
    private static final Pattern DONE =
        Pattern.compile("DONE received (\\d+) gaps (\\d+) missing (\\d+) repeats (\\d+)");

    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final String nsA = "shmlink-a-" + suffix;
    private final String nsB = "shmlink-b-" + suffix;
    private final String vethA = "shva" + suffix;
    private final String vethB = "shvb" + suffix;
    private final int subnet = 1 + ThreadLocalRandom.current().nextInt(250);
    private final List<ChildJvm> children = new ArrayList<>();
    private Path dirA;
    private Path dirB;

    @BeforeEach
    void open() throws Exception
    {
        dirA = ShmTestDirectory.create("aeron-ns-a-");
        dirB = ShmTestDirectory.create("aeron-ns-b-");
    }

    @AfterEach
    void close() throws Exception
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        // deleting a namespace deletes the veth end in it, and with it the pair
        run(false, "ip", "netns", "del", nsA);
        run(false, "ip", "netns", "del", nsB);
        ShmTestDirectory.delete(dirA);
        ShmTestDirectory.delete(dirB);
    }

    /**
     * Runs a command to its end.
     *
     * @return its output, stderr included, if it succeeded, else null (or a failed assertion if {@code must}).
     */
    private static String run(final boolean must, final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final boolean ok = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        if (!ok && must)
        {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
        return ok ? output : null;
    }

    private ChildJvm start(final String namespace, final String label, final Class<?> main, final String... args)
        throws IOException
    {
        final List<String> launcher = namespace == null ? List.of() : List.of("ip", "netns", "exec", namespace);
        final ChildJvm child = ChildJvm.startUnder(launcher, List.of(), main, args).labelled(label);
        children.add(child);
        return child;
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void acrossTwoNetworkNamespacesWithOnePercentLossEveryMessageArrivesInOrderOnce() throws Exception
    {
        assumeTrue(run(false, "ip", "netns", "add", nsA) != null,
            "skipped: cannot create a network namespace here (needs root and ip netns)");
        run(true, "ip", "netns", "add", nsB);
        run(true, "ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB);
        run(true, "ip", "link", "set", vethA, "netns", nsA);
        run(true, "ip", "link", "set", vethB, "netns", nsB);
        final String addressA = "10.213." + subnet + ".1";
        final String addressB = "10.213." + subnet + ".2";
        run(true, "ip", "-n", nsA, "addr", "add", addressA + "/24", "dev", vethA);
        run(true, "ip", "-n", nsB, "addr", "add", addressB + "/24", "dev", vethB);
        for (final String[] end : new String[][] {{nsA, vethA}, {nsB, vethB}})
        {
            run(true, "ip", "-n", end[0], "link", "set", "lo", "up");
            run(true, "ip", "-n", end[0], "link", "set", end[1], "up");
        }
        final boolean lossy = run(false, "tc", "-n", nsA, "qdisc", "add", "dev", vethA, "root", "netem", "loss",
            "1%") != null;
        if (!lossy)
        {
            // still worth running: two namespaces, a real veth link; the loss half is what CI's kernel adds
            System.out.println("netns bridge: tc netem is not available here (kernel module sch_netem): " +
                "running without injected loss");
        }

        final long count = Long.getLong("shmlink.aeron.netns.messages", 1_000_000);
        try (ShmRegistry a = ShmRegistry.open(dirA); ShmRegistry b = ShmRegistry.open(dirB))
        {
            a.create("src", ChannelConfig.spsc(1 << 20));
            b.create("dst", ChannelConfig.spsc(1 << 20));
        }
        final int port = 40_000 + ThreadLocalRandom.current().nextInt(20_000);
        final String uri = "aeron:udp?endpoint=" + addressB + ":" + port;
        final ChildJvm subscriber = start(null, "subscriber", SubscriberMain.class,
            dirB.toString(), "dst", Long.toString(count - 1), Long.toString(count / 4), "500");
        subscriber.awaitLine("SUBSCRIBED");
        final ChildJvm inbound = start(nsB, "inbound", BridgeMain.class, "in", dirB.toString(), "dst", uri, "3");
        inbound.awaitLine("BRIDGE UP");
        final ChildJvm outbound = start(nsA, "outbound", BridgeMain.class, "out", dirA.toString(), "src", uri, "3");
        outbound.awaitLine("BRIDGE UP");
        start(null, "publisher", PublisherMain.class, dirA.toString(), "src", Long.toString(count), "77");

        final String doneLine = subscriber.awaitLine("DONE");
        final Matcher done = DONE.matcher(doneLine);
        assertTrue(done.matches(), doneLine);
        assertEquals(count, Long.parseLong(done.group(1)), doneLine);
        assertEquals(0, Long.parseLong(done.group(2)), "gaps: " + doneLine);
        final String stats = run(false, "tc", "-n", nsA, "-s", "qdisc", "show", "dev", vethA);
        System.out.println("netns bridge: " + doneLine + "; qdisc: " + stats);
        if (lossy)
        {
            assertTrue(stats != null && !stats.contains("dropped 0,"), "netem dropped nothing: " + stats);
        }
        inbound.sendLine("stop");
        assertTrue(inbound.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
        outbound.sendLine("stop");
        assertTrue(outbound.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
    }
}
