package io.shmlink.bench.coldpath;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.bench.pingpong.Payload;
import io.shmlink.bench.pingpong.Summary;
import io.shmlink.bench.ShmTempDirectory;
import io.shmlink.bench.pingpong.ChildJvm;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cold path, where a user first meets ShmLink: create a new channel, and move a large transfer through it at
 * once. Each round creates a new SPSC channel (timed), a second JVM attaches to it (faulting its ring in), and the
 * same bytes go through it twice: the first transfer after the create, then the same again. The first round also
 * runs in cold JVMs (the JIT has compiled nothing yet); later rounds in warm JVMs with a new channel. The sink
 * folds every byte, and each transfer's checksum is checked.
 * <p>
 * {@code java -cp benchmarks.jar io.shmlink.bench.coldpath.ColdPath [--bytes N] [--message N] [--ring N]
 * [--rounds N]}: defaults 200 MB in 1 MiB messages through a 64 MiB ring, 5 rounds.
 */
public final class ColdPath
{
    private static final double MB = 1e6;
    private static final double GIB = 1L << 30;

    private ColdPath()
    {
    }

    static String channelName(final int round)
    {
        return "cold-" + round;
    }

    /**
     * Runs the rounds and prints a line per round and a summary.
     *
     * @param args options, as the class comment says.
     * @throws IOException if the registry directory or the child fails.
     */
    public static void main(final String[] args) throws IOException
    {
        long bytes = 200_000_000L;
        int message = 1 << 20;
        int ring = 64 << 20;
        int rounds = 5;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--bytes" -> bytes = Long.parseLong(args[i + 1]);
                case "--message" -> message = Integer.parseInt(args[i + 1]);
                case "--ring" -> ring = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final int messages = (int)Math.max(1, bytes / message);
        final double moved = (double)messages * message;
        final double[] createMsPerGib = new double[rounds];
        final double[] firstMbs = new double[rounds];
        final double[] warmMbs = new double[rounds];
        System.out.printf(Locale.ROOT, "cold path: %d rounds; each a new %d MiB SPSC channel and two transfers of " +
            "%,d messages of %d bytes (%.0f MB)%n", rounds, ring >> 20, messages, message, moved / MB);
        try (ShmTempDirectory directory = ShmTempDirectory.create("shmlink-coldpath-");
            ShmRegistry registry = ShmRegistry.open(directory.path());
            ChildJvm sink = ChildJvm.start("cold path sink", List.of("-Xmx256m"), ColdPathSink.class,
                List.of(directory.path().toString(), Integer.toString(rounds), Integer.toString(messages))))
        {
            sink.awaitLine("ready");
            final Payload payload = new Payload(message);
            long sequence = 1;
            for (int round = 0; round < rounds; round++)
            {
                final String name = channelName(round);
                final long createStart = System.nanoTime();
                registry.create(name, ChannelConfig.spsc(ring));
                createMsPerGib[round] = (System.nanoTime() - createStart) / 1e6 * GIB / ring;
                try (Publisher publisher = registry.publisher(name))
                {
                    sink.awaitLine("attached " + round);
                    for (int transfer = 0; transfer < 2; transfer++)
                    {
                        long expected = 0;
                        final long start = System.nanoTime();
                        for (int m = 0; m < messages; m++, sequence++)
                        {
                            final UnsafeBuffer source = payload.stamp(sequence, false);
                            expected += payload.expected(sequence, false);
                            while (publisher.offer(source, 0, message) < 0)
                            {
                                Thread.onSpinWait();
                            }
                        }
                        final String line = sink.awaitLine("received " + round + " " + transfer + " ");
                        final double seconds = (System.nanoTime() - start) / 1e9;
                        final String[] fields = line.split(" ");
                        if (Long.parseLong(fields[3]) != messages || Long.parseLong(fields[4]) != expected)
                        {
                            throw new IllegalStateException("round " + round + " transfer " + transfer +
                                ": the sink got " + line + ", expected " + messages + " messages, checksum " +
                                expected);
                        }
                        (transfer == 0 ? firstMbs : warmMbs)[round] = moved / MB / seconds;
                    }
                }
                registry.delete(name);
                System.out.printf(Locale.ROOT,
                    "round %d%s: create %.0f ms per GiB of ring; first transfer %,.0f MB/s;" +
                    " the same again %,.0f MB/s; first/again %.2f%n", round + 1, round == 0 ? " (cold JVMs)" : "",
                    createMsPerGib[round], firstMbs[round], warmMbs[round], firstMbs[round] / warmMbs[round]);
            }
        }
        final double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            ratios[r] = firstMbs[r] / warmMbs[r];
        }
        System.out.printf(Locale.ROOT, "first/again, warm JVMs (rounds 2-%d): %s; create: %s ms per GiB%n", rounds,
            summary(Arrays.copyOfRange(ratios, Math.min(1, rounds - 1), rounds), "%.2f"),
            summary(createMsPerGib, "%.0f"));
    }

    private static String summary(final double[] values, final String format)
    {
        final Summary summary = Summary.of(values);
        return String.format(Locale.ROOT, "median " + format + " [" + format + ".." + format + "]", summary.median(),
            summary.min(), summary.max());
    }
}
