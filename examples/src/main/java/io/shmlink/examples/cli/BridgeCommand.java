package io.shmlink.examples.cli;

import io.shmlink.aeron.AeronBridge;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code shmlink bridge out|in}: carries a channel to or from another host over Aeron until interrupted.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
        "Carries a channel between hosts over Aeron (UDP unicast or multicast) until Ctrl-C.",
        "On host A: shmlink bridge out NAME --to aeron:udp?endpoint=HOST_B:40123",
        "On host B: shmlink bridge in NAME --from aeron:udp?endpoint=0.0.0.0:40123",
        "Each bridge embeds an Aeron media driver unless --aeron-dir names a running one."},
    subcommands = {BridgeCommand.Out.class, BridgeCommand.In.class, HelpCommand.class})
final class BridgeCommand
{
    /** What both directions share. */
    abstract static class Direction extends RegistryCommand
    {
        @Parameters(index = "0", paramLabel = "NAME",
            description = "The local channel; created if absent (SPSC, 1 MiB ring, messages up to 128 KiB).")
        String name;

        @Option(names = "--stream", paramLabel = "N", defaultValue = "" + AeronBridge.DEFAULT_STREAM_ID,
            description = "Aeron stream id (default: ${DEFAULT-VALUE}).")
        int stream;

        @Option(names = "--aeron-dir", paramLabel = "DIR",
            description = "Use the running Aeron media driver of this directory instead of an embedded one.")
        Path aeronDir;

        @Option(names = "--quiet", description = "Print no line a second with rates.")
        boolean quiet;

        abstract AeronBridge start(ShmRegistry shm, AeronBridge.Options options);

        abstract String describe();

        @Override
        public Integer call() throws InterruptedException
        {
            final PrintWriter out = spec.commandLine().getOut();
            final ShmRegistry shm = registry.open();
            final AeronBridge bridge;
            try
            {
                bridge = start(shm, new AeronBridge.Options().aeronDir(aeronDir));
            }
            catch (final RuntimeException ex)
            {
                shm.close();
                throw ex;
            }
            final CountDownLatch stopped = new CountDownLatch(1);
            final Thread hook = new Thread(() ->
            {
                bridge.close();
                shm.close();
                out.println(describe() + ": closed after " + bridge.messagesForwarded() + " messages, " +
                    bridge.bytesForwarded() + " bytes");
                out.flush();
                stopped.countDown();
            }, "shmlink-bridge-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println(describe() + ": running" + (bridge.embeddedDriverDirectory() != null ?
                ", embedded media driver in " + bridge.embeddedDriverDirectory() : ", media driver in " + aeronDir) +
                "; Ctrl-C stops it");
            out.flush();
            long lastMessages = 0;
            long lastBytes = 0;
            long lastNanos = System.nanoTime();
            // paces the rate lines; the shutdown hook ends the wait
            while (!stopped.await(1, TimeUnit.SECONDS))
            {
                if (!bridge.isRunning())
                {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    bridge.close();
                    shm.close();
                    spec.commandLine().getErr().println("shmlink bridge: " + describe() + " stopped: " +
                        bridge.failure());
                    return ShmLinkCli.FAILURE;
                }
                if (!quiet)
                {
                    final long now = System.nanoTime();
                    final long messages = bridge.messagesForwarded();
                    final long bytes = bridge.bytesForwarded();
                    final double seconds = (now - lastNanos) / 1e9;
                    out.println(String.format(Locale.ROOT,
                        "%s: %.0f msg/s, %.2f MB/s, total %d messages, back-pressure %d, oversize %d, link %s, " +
                        "reconnects %d",
                        describe(), (messages - lastMessages) / seconds, (bytes - lastBytes) / seconds / 1e6,
                        messages, bridge.backPressureEvents(), bridge.oversizeDropped(),
                        bridge.isLinkUp() ? "up" : "down", bridge.reconnects()));
                    out.flush();
                    lastMessages = messages;
                    lastBytes = bytes;
                    lastNanos = now;
                }
            }
            return ShmLinkCli.OK;
        }
    }

    /** {@code shmlink bridge out}. */
    @Command(name = "out",
        description = "Subscribes to a local channel and publishes each message to an Aeron channel.")
    static final class Out extends Direction
    {
        @Option(names = "--to", required = true, paramLabel = "AERON_URI",
            description = "Where to publish, e.g. aeron:udp?endpoint=HOST:40123.")
        String to;

        @Override
        AeronBridge start(final ShmRegistry shm, final AeronBridge.Options options)
        {
            return AeronBridge.outbound(shm, name, to, stream, options);
        }

        @Override
        String describe()
        {
            return "bridge out " + name + " -> " + to + " stream " + stream;
        }
    }

    /** {@code shmlink bridge in}. */
    @Command(name = "in",
        description = "Subscribes to an Aeron channel and publishes each message into a local channel.")
    static final class In extends Direction
    {
        @Option(names = "--from", required = true, paramLabel = "AERON_URI",
            description = "What to subscribe to, e.g. aeron:udp?endpoint=0.0.0.0:40123.")
        String from;

        @Override
        AeronBridge start(final ShmRegistry shm, final AeronBridge.Options options)
        {
            return AeronBridge.inbound(from, stream, shm, name, options);
        }

        @Override
        String describe()
        {
            return "bridge in " + name + " <- " + from + " stream " + stream;
        }
    }
}
