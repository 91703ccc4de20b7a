package io.shmlink.bench;

import io.shmlink.bench.pingpong.PingPongOptions;
import io.shmlink.bench.pingpong.PingPongResult;
import io.shmlink.bench.pingpong.PingPongRun;
import io.shmlink.bench.pingpong.Report;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The cross-process latency harness, main class of {@code benchmarks.jar}: {@code java -jar
 * ipc-bench/target/benchmarks.jar [--help]}. This JVM pings, a child JVM echoes, over each transport in turn
 * ({@code floor}, {@code shmlink-spsc}, {@code shmlink-mpsc}, {@code agrona}), in interleaved rounds; see
 * {@link PingPongRun} for the method and {@link Report} for the output.
 * <p>
 * Exit status: 0 on success, 1 if the run failed (a wrong echo, a dead or stuck child), 2 on a usage error.
 */
public final class PingPong
{
    private PingPong()
    {
    }

    /**
     * Runs the ping-pong and prints the report.
     *
     * @param args options; {@code --help} lists them.
     */
    public static void main(final String[] args)
    {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h"))
        {
            System.out.println(PingPongOptions.USAGE);
            return;
        }
        final PingPongOptions options;
        try
        {
            options = PingPongOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(PingPongOptions.USAGE);
            System.exit(2);
            return;
        }
        try
        {
            final PingPongResult result = PingPongRun.run(options, System.out);
            Report.print(result, System.out);
            if (options.hgrmDirectory() != null)
            {
                for (final Path file : Report.writeHgrm(result, options.hgrmDirectory()))
                {
                    System.out.println("wrote " + file);
                }
            }
        }
        catch (final Exception ex)
        {
            System.err.println("ping-pong failed: " + ex.getMessage());
            ex.printStackTrace();
            System.exit(1);
        }
    }
}
