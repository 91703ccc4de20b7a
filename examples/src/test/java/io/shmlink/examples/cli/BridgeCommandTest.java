package io.shmlink.examples.cli;

import io.shmlink.api.ChannelConfig;
import io.shmlink.examples.TwoHosts;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code shmlink bridge out} and {@code bridge in}, each in its own JVM, link two registry directories over UDP on
 * 127.0.0.1; SIGTERM (what Ctrl-C amounts to) closes each through its shutdown hook.
 */
class BridgeCommandTest
{
    @RegisterExtension
    final TwoHosts hosts = new TwoHosts("shmlink-cli-bridge-");

    private Process shmlink(final String... args) throws IOException
    {
        return hosts.java(ShmLinkCli.class, args);
    }

    private static String awaitLine(final BufferedReader out, final String contains) throws IOException
    {
        String line;
        while ((line = out.readLine()) != null)
        {
            if (line.contains(contains))
            {
                return line;
            }
        }
        throw new AssertionError("ended without a line containing '" + contains + "'");
    }

    private static BufferedReader reader(final Process process)
    {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    @Test
    void bridgeOutAndInCarryAChannelPrintRatesAndCloseOnSigterm() throws Exception
    {
        final Path dirA = hosts.dirA();
        final Path dirB = hosts.dirB();
        final String uri = hosts.uri();
        try (ShmRegistry a = ShmRegistry.open(dirA))
        {
            a.create("ticks", ChannelConfig.spsc(1 << 16));
        }

        final Process in = shmlink("bridge", "in", "ticks", "--from", uri, "--stream", "77", "--dir", dirB.toString());
        final BufferedReader inOut = reader(in);
        awaitLine(inOut, "bridge in ticks <- " + uri + " stream 77: running, embedded media driver in " + dirB);
        final Process out = shmlink("bridge", "out", "ticks", "--to", uri, "--stream", "77", "--quiet",
            "--dir", dirA.toString());
        final BufferedReader outOut = reader(out);
        awaitLine(outOut, "running");

        final int count = 1000;
        try (ShmRegistry a = ShmRegistry.open(dirA); ShmRegistry b = ShmRegistry.open(dirB);
            ShmPublisher publisher = a.publisher("ticks"); ShmSubscriber subscriber = b.subscriber("ticks"))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
            for (int i = 0; i < count; i++)
            {
                buffer.putInt(0, i);
                while (publisher.offer(buffer, 0, 4) < 0)
                {
                    Thread.onSpinWait();
                }
            }
            final int[] next = {0};
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (next[0] < count && System.nanoTime() < deadline)
            {
                subscriber.poll((b2, offset, length) -> assertEquals(next[0]++, b2.getInt(offset)),
                    100, 10, TimeUnit.MILLISECONDS);
            }
            assertEquals(count, next[0]);
        }
        final String rates = awaitLine(inOut, "total " + count + " messages");
        assertTrue(rates.matches(".*msg/s, .* MB/s, total 1000 messages, back-pressure \\d+, oversize 0, link up, " +
            "reconnects 0"), rates);

        // shmlink stat shows each bridge's counters, read from its embedded driver's counters file
        final String statA = stat("stat", "ticks", "--dir", dirA.toString());
        assertTrue(statA.contains("  bridge                out ticks -> " + uri + " stream 77: messages 1000, " +
            "bytes 4000, back-pressure "), statA);
        final String statB = stat("stat", "--dir", dirB.toString());
        assertTrue(statB.contains("  bridge                in ticks <- " + uri + " stream 77: messages 1000, " +
            "bytes 4000, "), statB);
        assertTrue(statB.contains("link-ups 1, link-downs 0, evictions 0, lost-on-close 0"), statB);

        // SIGTERM through the handle: Process.destroy() would also close our end of its output
        in.toHandle().destroy(); // the shutdown hook closes the bridge
        out.toHandle().destroy();
        assertTrue(awaitLine(inOut, "closed").endsWith("closed after 1000 messages, 4000 bytes"));
        assertTrue(awaitLine(outOut, "closed").endsWith("closed after 1000 messages, 4000 bytes"));
        assertTrue(in.waitFor(20, TimeUnit.SECONDS) && out.waitFor(20, TimeUnit.SECONDS));
        for (final Path dir : List.of(dirA, dirB))
        {
            try (var files = Files.list(dir))
            {
                assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".aeron-")),
                    "an embedded driver's directory outlived its bridge in " + dir);
            }
        }
    }

    private static String stat(final String... args)
    {
        final java.io.StringWriter out = new java.io.StringWriter();
        final var commandLine = ShmLinkCli.commandLine();
        commandLine.setOut(new java.io.PrintWriter(out));
        assertEquals(ShmLinkCli.OK, commandLine.execute(args));
        return out.toString();
    }

    @Test
    void aMissingTargetIsAUsageError()
    {
        final java.io.StringWriter err = new java.io.StringWriter();
        final var commandLine = ShmLinkCli.commandLine();
        commandLine.setErr(new java.io.PrintWriter(err));
        final int code = commandLine.execute("bridge", "out", "ticks");
        assertEquals(ShmLinkCli.USAGE, code);
        if (!err.toString().contains("--to"))
        {
            fail(err.toString());
        }
    }
}
