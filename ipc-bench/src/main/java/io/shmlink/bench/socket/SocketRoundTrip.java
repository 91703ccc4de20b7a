package io.shmlink.bench.socket;

import io.shmlink.bench.pingpong.BenchResult;
import io.shmlink.bench.pingpong.BenchRun;
import io.shmlink.bench.pingpong.PingPongOptions;
import io.shmlink.bench.pingpong.ShmSocketTransport;
import io.shmlink.bench.pingpong.Summary;
import org.HdrHistogram.Histogram;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Request/response round trips over stream sockets between two JVMs, for several message sizes: ShmSocket with its
 * readers busy-spinning ({@code shm-spin}) and with the default blocking wait ({@code shm-blocking}) against a JDK
 * Unix-domain {@code SocketChannel} and loopback TCP with {@code TCP_NODELAY}. A preset of the ping-pong harness: one
 * run per size of its transports {@code shmlink-socket}, {@code shmlink-socket-blocking}
 * ({@link ShmSocketTransport.Blocking}, not built in), {@code uds} and {@code tcp}, in interleaved rounds with one
 * echo child whose one echo thread serves one transport at a time.
 * <p>
 * Run: {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp ipc-bench/target/benchmarks.jar
 * io.shmlink.bench.socket.SocketRoundTrip [--rounds 10] [--count 20000] [--sizes 32,1024,65536]}
 * <p>
 * Prints, per size, each transport's percentiles over all rounds (ns) and the median of the per-round ratios of
 * each transport's p50 to {@code shm-spin}'s, with their range.
 */
public final class SocketRoundTrip
{
    /** The harness's transports, in round order, and the names this benchmark's table gives them. */
    private static final List<String> TRANSPORTS =
        List.of("shmlink-socket", ShmSocketTransport.Blocking.class.getName(), "uds", "tcp");
    private static final List<String> LABELS = List.of("shm-spin", "shm-blocking", "uds", "tcp");

    private SocketRoundTrip()
    {
    }

    /**
     * Runs the rounds for every size and prints a table per size.
     *
     * @param args options, as the class comment says.
     * @throws Exception if a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        int rounds = 10;
        int count = 20_000;
        int[] sizes = {32, 1024, 65536};
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                case "--sizes" -> sizes = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf("socket round trips: %d rounds x %d per transport and size%n%n", rounds, count);
        final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (final int size : sizes)
        {
            final BenchResult result = BenchRun.run(new PingPongOptions(TRANSPORTS, rounds, count,
                Math.max(1_000, count / 10), size, null), quiet);
            report(size, result);
        }
    }

    private static void report(final int size, final BenchResult result)
    {
        System.out.printf("%d-byte request, %d-byte response (ns), echo pid %d%n", size, size,
            result.session().echoPid());
        System.out.printf("%-13s %10s %10s %10s %10s %10s %10s  %s%n", "transport", "p50", "p90", "p99", "p99.9",
            "max", "mean", "p50 / shm-spin p50, median of rounds [range]");
        for (int t = 0; t < TRANSPORTS.size(); t++)
        {
            final Histogram h = result.overall(t);
            final Summary ratio = result.ratio(t, 0);
            System.out.printf(Locale.ROOT, "%-13s %10d %10d %10d %10d %10d %10.0f  %.2f [%.2f..%.2f]%n",
                LABELS.get(t), h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean(), ratio.median(), ratio.min(), ratio.max());
        }
        System.out.println();
    }
}
