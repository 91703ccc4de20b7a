package io.shmlink.aeron;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bridges between two network namespaces joined by a veth pair that loses 1% of what namespace A sends: still
 * in order, once. Needs root ({@code ip netns}); runs under {@code -Pstress} only; skipped where no namespace can
 * be made. The loss is injected on egress of A's end of the veth by the first of these that works:
 * <ol>
 *   <li>{@code tc netem loss 1%} as the veth's root qdisc (needs the kernel's {@code sch_netem});</li>
 *   <li>nftables (needs {@code nft} and the kernel's {@code nf_tables} with {@code numgen}): in namespace A a
 *       table of this test's own, {@code inet shmlink_netns_loss}, with a chain
 *       {@code type filter hook output priority 0} and the rule
 *       {@code oifname <veth> meta l4proto udp numgen random mod 100 < 1 counter drop}. A packet dropped there
 *       fails the media driver's send ({@code EPERM}) rather than vanishing on the wire: the driver logs a
 *       warning in its error log and goes on, and the receiver NAKs the gap as it would a packet lost;</li>
 *   <li>neither: the test runs without loss and says so on standard output.</li>
 * </ol>
 * The result line says which was used and how many packets it dropped, and the test fails if it dropped none. The
 * namespaces (and with them the veth pair and the nftables table) are removed at the end, even on failure.
 * {@code -Dshmlink.aeron.netns.messages=N} (default 1,000,000).
 */
@Tag("stress")
class NetnsBridgeStressTest
{
    /** In {@code tc -s qdisc show}: {@code Sent B bytes P pkt (dropped D, ...)}. */
    private static final Pattern NETEM_DROPPED = Pattern.compile("dropped (\\d+),");
    /** In {@code nft list chain}: {@code ... counter packets P bytes B drop}. */
    private static final Pattern NFT_DROPPED = Pattern.compile("counter packets (\\d+) bytes \\d+ drop");
    private static final String NFT_TABLE = "shmlink_netns_loss";
    private static final String NFT_CHAIN = "egress";

    /** How packets are lost on A's end of the veth. */
    private enum Loss
    {
        NETEM, NFTABLES, NONE
    }

    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final String nsA = "shmlink-a-" + suffix;
    private final String nsB = "shmlink-b-" + suffix;
    private final String vethA = "shva" + suffix;
    private final String vethB = "shvb" + suffix;
    private final int subnet = 1 + ThreadLocalRandom.current().nextInt(250);
    @RegisterExtension
    final CrossProcessFlow flow = new CrossProcessFlow("aeron-ns-").bridgesInNamespaces(nsA, nsB);

    @AfterEach
    void close() throws Exception
    {
        flow.killChildren();
        // deleting a namespace deletes the veth end in it, and with it the pair
        run(false, "ip", "netns", "del", nsA);
        run(false, "ip", "netns", "del", nsB);
    }

    /**
     * Runs a command to its end.
     *
     * @return its output, stderr included, if it succeeded, else null (or a failed assertion if {@code must}).
     */
    private static String run(final boolean must, final String... command) throws IOException, InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException notInstalled)
        {
            if (must)
            {
                throw notInstalled;
            }
            return null;
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final boolean ok = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        if (!ok && must)
        {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
        return ok ? output : null;
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
        final Loss loss = injectLoss();
        if (loss == Loss.NONE)
        {
            // still worth running: two namespaces, a real veth link; the loss half is what CI's kernel adds
            System.out.println("netns bridge: neither tc netem (kernel module sch_netem) nor nft (nf_tables with " +
                "numgen) is available here: running without injected loss");
        }

        final long count = Long.getLong("shmlink.aeron.netns.messages", 1_000_000);
        flow.createChannels(ChannelConfig.spsc(1 << 20));
        final int port = 40_000 + ThreadLocalRandom.current().nextInt(20_000);
        final String uri = "aeron:udp?endpoint=" + addressB + ":" + port;
        final ChildJvm subscriber = flow.subscriber(count - 1, count / 4, 500);
        final ChildJvm inbound = flow.inbound("inbound", uri, 3);
        final ChildJvm outbound = flow.outbound("outbound", uri, 3);
        flow.publisher(count, 77);

        final CrossProcessFlow.Done done = CrossProcessFlow.awaitDone(subscriber);
        final String doneLine = done.line();
        assertEquals(count, done.received(), doneLine);
        assertEquals(0, done.gaps(), "gaps: " + doneLine);
        final long dropped = dropped(loss);
        System.out.println(
            "netns bridge: " + doneLine + "; loss injected by " + loss + ", packets dropped " + dropped);
        if (loss != Loss.NONE)
        {
            assertTrue(dropped > 0, loss + " dropped nothing");
        }
        inbound.sendLine("stop");
        assertTrue(inbound.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
        outbound.sendLine("stop");
        assertTrue(outbound.awaitLine("FORWARDED").startsWith("FORWARDED " + count + " linkUps 1 oversize 0"));
    }

    /**
     * Makes A's end of the veth lose 1% of its egress packets: netem if the kernel has it, else nftables.
     *
     * @return which did, or {@link Loss#NONE}.
     */
    private Loss injectLoss() throws IOException, InterruptedException
    {
        if (run(false, "tc", "-n", nsA, "qdisc", "add", "dev", vethA, "root", "netem", "loss", "1%") != null)
        {
            return Loss.NETEM;
        }
        // one nft invocation is one transaction: the table comes whole or not at all
        final String ruleset = "add table inet " + NFT_TABLE + "; " +
            "add chain inet " + NFT_TABLE + " " + NFT_CHAIN + " { type filter hook output priority 0; }; " +
            "add rule inet " + NFT_TABLE + " " + NFT_CHAIN + " oifname \"" + vethA + "\" meta l4proto udp " +
            "numgen random mod 100 < 1 counter drop";
        if (run(false, "ip", "netns", "exec", nsA, "nft", ruleset) != null)
        {
            return Loss.NFTABLES;
        }
        return Loss.NONE;
    }

    /**
     * The packets the loss injection dropped, read from netem's qdisc statistics or the nft rule's counter.
     *
     * @return the count; 0 with {@link Loss#NONE}.
     * @throws AssertionError if the statistics cannot be read.
     */
    private long dropped(final Loss loss) throws IOException, InterruptedException
    {
        final String stats;
        final Pattern pattern;
        switch (loss)
        {
            case NETEM ->
            {
                stats = run(true, "tc", "-n", nsA, "-s", "qdisc", "show", "dev", vethA);
                pattern = NETEM_DROPPED;
            }
            case NFTABLES ->
            {
                stats = run(true, "ip", "netns", "exec", nsA, "nft", "list", "chain", "inet", NFT_TABLE, NFT_CHAIN);
                pattern = NFT_DROPPED;
            }
            default ->
            {
                return 0;
            }
        }
        final Matcher matcher = pattern.matcher(stats);
        assertTrue(matcher.find(), "no drop count in: " + stats);
        return Long.parseLong(matcher.group(1));
    }
}
