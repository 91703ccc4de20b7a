package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints a {@link PingPongResult}: the percentile table per transport, p50 per round, and p50 ratios to the floor
 * and to ShmLink SPSC summarised over rounds; optionally writes HdrHistogram {@code .hgrm} files.
 */
public final class Report
{
    /** The reference transports of the ratio table, when they were run. */
    public static final List<String> REFERENCES = List.of("floor", "shmlink-spsc");

    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    private Report()
    {
    }

    /**
     * Prints the report.
     *
     * @param result what was measured.
     * @param out    where to print.
     */
    public static void print(final PingPongResult result, final PrintStream out)
    {
        final PingPongOptions options = result.options();
        final List<String> names = result.transports();
        final int width = Math.max(12, names.stream().mapToInt(String::length).max().orElse(0) + 2);
        final String nameColumn = "%-" + width + "s";

        out.println();
        out.printf(Locale.ROOT, "Round-trip time (RTT) in ns between two JVMs: %d-byte messages, %d interleaved " +
            "rounds x %,d round trips per transport, after %,d warm-up round trips each.%n",
            options.messageLength(), options.rounds(), options.count(), options.warmup());
        for (int t = 0; t < names.size(); t++)
        {
            out.printf(Locale.ROOT, "  " + nameColumn + "%s%n", names.get(t), result.description(t));
        }
        final int cpus = Runtime.getRuntime().availableProcessors();
        // Printed, not judged: the 1-minute average also remembers whatever ran just before (a build, say). The run
        // itself keeps two CPUs busy; anything else busy at the same time shows up in the tails.
        out.printf(Locale.ROOT, "Host: %d CPUs, 1-minute load average %.2f when the run started.%n", cpus,
            result.loadAverage());

        out.println();
        out.printf(Locale.ROOT, nameColumn + "%10s%9s%9s%9s%9s%9s%10s%9s%n",
            "transport", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean");
        for (int t = 0; t < names.size(); t++)
        {
            final Histogram h = result.overall(t);
            out.printf(Locale.ROOT, nameColumn + "%10d", names.get(t), h.getTotalCount());
            for (final double percentile : PERCENTILES)
            {
                out.printf(Locale.ROOT, "%9d", h.getValueAtPercentile(percentile));
            }
            out.printf(Locale.ROOT, "%10d%9.0f%n", h.getMaxValue(), h.getMean());
        }

        out.println();
        out.println("p50 per round (ns):");
        out.printf(Locale.ROOT, "%-7s", "round");
        for (final String name : names)
        {
            out.printf(Locale.ROOT, "%" + (width + 2) + "s", name);
        }
        out.println();
        for (int r = 0; r < result.roundCount(); r++)
        {
            out.printf(Locale.ROOT, "%-7d", r + 1);
            for (int t = 0; t < names.size(); t++)
            {
                out.printf(Locale.ROOT, "%" + (width + 2) + "d", result.round(r, t).getValueAtPercentile(50));
            }
            out.println();
        }

        final List<Integer> references = new ArrayList<>();
        for (final String reference : REFERENCES)
        {
            if (result.indexOf(reference) >= 0)
            {
                references.add(result.indexOf(reference));
            }
        }
        if (!references.isEmpty())
        {
            out.println();
            out.println("p50 ratio to a reference, computed within each round: median over rounds [min..max]");
            out.printf(Locale.ROOT, nameColumn, "transport");
            for (final int reference : references)
            {
                out.printf(Locale.ROOT, "%-24s", "vs " + names.get(reference));
            }
            out.println();
            for (int t = 0; t < names.size(); t++)
            {
                out.printf(Locale.ROOT, nameColumn, names.get(t));
                for (final int reference : references)
                {
                    final PingPongResult.RatioSummary ratio = result.p50Ratio(t, reference);
                    out.printf(Locale.ROOT, "%-24s",
                        String.format(Locale.ROOT, "%.2f [%.2f..%.2f]", ratio.median(), ratio.min(), ratio.max()));
                }
                out.println();
            }
        }

        out.println();
        out.println("Bytes allocated in the hot loops (0 expected): pinging thread in measured rounds; echo thread in");
        out.println("every echo loop but each transport's first (class loading), warm-up included");
        out.printf(Locale.ROOT, nameColumn + "%12s%12s%n", "transport", "pinger", "echo");
        for (int t = 0; t < names.size(); t++)
        {
            final long echo = result.echoAllocatedBytes(t);
            out.printf(Locale.ROOT, nameColumn + "%12d%12s%n", names.get(t), result.pingerAllocatedBytes(t),
                echo < 0 ? "n/a" : Long.toString(echo));
        }
    }

    /**
     * Writes {@code <transport>.hgrm} per transport: the overall histogram's percentile distribution, values in ns,
     * in the format HdrHistogram's plotter reads.
     *
     * @param result    what was measured.
     * @param directory where to write; created if absent.
     * @return the files written.
     * @throws IOException if writing fails.
     */
    public static List<Path> writeHgrm(final PingPongResult result, final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        for (int t = 0; t < result.transports().size(); t++)
        {
            final Path file = directory.resolve(result.transports().get(t) + ".hgrm");
            try (OutputStream stream = Files.newOutputStream(file);
                PrintStream out = new PrintStream(stream, false, java.nio.charset.StandardCharsets.UTF_8))
            {
                result.overall(t).outputPercentileDistribution(out, 1.0);
            }
            files.add(file);
        }
        return files;
    }
}
