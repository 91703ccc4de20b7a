package io.shmlink.bench;

import io.shmlink.bench.pingpong.BenchResult;
import io.shmlink.bench.pingpong.BenchRun;
import io.shmlink.bench.pingpong.PingPongOptions;
import io.shmlink.bench.pingpong.Report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cross-process latency harness, main class of {@code benchmarks.jar}: {@code java -jar
 * ipc-bench/target/benchmarks.jar [--help]}. This JVM pings, a child JVM echoes, over each transport in turn
 * ({@code floor}, {@code shmlink-spsc}, {@code shmlink-mpsc}, {@code agrona}, {@code aeron}, {@code chronicle}, and
 * with {@code --transports all} also {@code uds}, {@code tcp} and the fan-outs {@code shmlink-spmc-N},
 * {@code aeron-ipc-fanout-N}, whose other subscribers run in JVMs of their own), in interleaved rounds; see
 * {@link BenchRun} for the method and {@link Report} for the output. With {@code --throughput}, one-way bursts
 * instead; with {@code --fresh-jvms}, each transport in each round in a new pinger JVM and a new echo JVM.
 * <p>
 * The report is printed and also saved, with Markdown and {@code .hgrm} files and a PNG percentile plot, in a
 * results folder: {@code --out DIR}, by default {@code results/<yyyyMMdd-HHmmss>/} under the working directory.
 * <p>
 * The manifest of {@code benchmarks.jar} opens and exports what Agrona and Chronicle Queue need from
 * {@code java.base} ({@code Add-Opens}, {@code Add-Exports}), so {@code java -jar} needs no flag.
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
            final Path out = options.outDirectory() != null ? options.outDirectory() : defaultResultsDirectory();
            final ByteArrayOutputStream text = new ByteArrayOutputStream();
            final List<Path> files = new ArrayList<>();
            // Printed before anything is written, so that a failure to write loses no result.
            final BenchResult result = BenchRun.run(options, System.out);
            Report.print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
            System.out.print(text.toString(StandardCharsets.UTF_8));
            files.addAll(Report.writeResults(result, text.toString(StandardCharsets.UTF_8), out));
            if (options.hgrmDirectory() != null)
            {
                files.addAll(Report.writeHgrm(result, options.hgrmDirectory()));
            }
            System.out.println();
            System.out.println("Results folder: " + out.toAbsolutePath().normalize());
            for (final Path file : files)
            {
                System.out.println("  wrote " + file);
            }
        }
        catch (final Exception ex)
        {
            System.err.println("ping-pong failed: " + ex.getMessage());
            ex.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * {@code results/<yyyyMMdd-HHmmss>} under the working directory; {@code -2}, {@code -3}... appended if a run in
     * the same second took the name.
     */
    private static Path defaultResultsDirectory() throws IOException
    {
        final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path directory = Path.of("results", stamp);
        for (int i = 2; Files.exists(directory); i++)
        {
            directory = Path.of("results", stamp + "-" + i);
        }
        return directory;
    }
}
