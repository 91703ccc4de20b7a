package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;

/**
 * Prints a {@link PingPongResult}: the percentile table per transport (two in fixed-rate mode: corrected and
 * uncorrected), p50 per round, p50 ratios to the floor, to ShmLink SPSC and to the Unix-domain socket summarised
 * over rounds, the allocation check, and the main table again in Markdown. Writes the results folder:
 * {@value #MARKDOWN_FILE}, {@value #TEXT_FILE}, HdrHistogram {@code .hgrm} files and a PNG of their percentile
 * distributions ({@link PercentilePlot}).
 */
public final class Report
{
    /** The reference transports of the ratio table, when they were run. */
    public static final List<String> REFERENCES = List.of("floor", "shmlink-spsc", "uds");

    /** The references of the Markdown table's ratio columns, when they were run. */
    public static final List<String> MARKDOWN_REFERENCES = List.of("floor", "uds");

    /** The Markdown report's name in the results folder. */
    public static final String MARKDOWN_FILE = "results.md";

    /** The printed report's name in the results folder. */
    public static final String TEXT_FILE = "report.txt";

    /** Suffix of the uncorrected histograms' files in fixed-rate mode: {@code <transport>.uncorrected.hgrm}. */
    public static final String UNCORRECTED_SUFFIX = ".uncorrected";

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
        out.println(title(result));
        for (int t = 0; t < names.size(); t++)
        {
            out.printf(Locale.ROOT, "  " + nameColumn + "%s%n", names.get(t), result.description(t));
        }
        out.println(hostLine(result.loadAverage()));

        if (result.fixedRate())
        {
            out.println();
            out.println("Corrected: from each ping's intended send time to its echo (includes waiting for a late " +
                "send)");
            printTable(result, result::overall, nameColumn, out);
            out.println();
            out.println("Uncorrected: from each ping's actual send time to its echo (blind to coordinated omission)");
            printTable(result, result::uncorrected, nameColumn, out);
        }
        else
        {
            out.println();
            printTable(result, result::overall, nameColumn, out);
        }

        out.println();
        out.println(result.fixedRate() ? "p50 per round (ns, corrected):" : "p50 per round (ns):");
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

        final List<Integer> references = present(result, REFERENCES);
        if (!references.isEmpty())
        {
            out.println();
            out.println("p50 ratio to a reference, computed within each round: median over rounds [min..max]" +
                (result.fixedRate() ? " (corrected)" : ""));
            final String[][] cells = new String[names.size()][references.size()];
            int cellWidth = 0;
            for (int t = 0; t < names.size(); t++)
            {
                for (int i = 0; i < references.size(); i++)
                {
                    cells[t][i] = format(result.p50Ratio(t, references.get(i)));
                    cellWidth = Math.max(cellWidth, cells[t][i].length() + 3);
                }
            }
            final String cell = "%-" + Math.max(24, cellWidth) + "s";
            out.printf(Locale.ROOT, nameColumn, "transport");
            for (final int reference : references)
            {
                out.printf(Locale.ROOT, cell, "vs " + names.get(reference));
            }
            out.println();
            for (int t = 0; t < names.size(); t++)
            {
                out.printf(Locale.ROOT, nameColumn, names.get(t));
                for (int i = 0; i < references.size(); i++)
                {
                    out.printf(Locale.ROOT, cell, cells[t][i]);
                }
                out.println();
            }
        }

        out.println();
        out.println("Bytes allocated in the hot loops (0 expected): pinging thread in measured rounds; echo thread in");
        out.println("every echo loop but each transport's first (class loading), warm-up included");
        printAllocations(out, nameColumn, names, "pinger", "echo", result::pingerAllocatedBytes,
            result::echoAllocatedBytes);

        out.println();
        out.println("Markdown:");
        out.println();
        out.print(markdownTables(result));
    }

    /**
     * Prints what each side of each transport allocated in its hot loop; a negative echo figure is unknown.
     */
    static void printAllocations(
        final PrintStream out, final String nameColumn, final List<String> names, final String sendingSide,
        final String echoSide, final IntToLongFunction sending, final IntToLongFunction echo)
    {
        out.printf(Locale.ROOT, nameColumn + "%12s%12s%n", "transport", sendingSide, echoSide);
        for (int t = 0; t < names.size(); t++)
        {
            final long echoBytes = echo.applyAsLong(t);
            out.printf(Locale.ROOT, nameColumn + "%12d%12s%n", names.get(t), sending.applyAsLong(t),
                echoBytes < 0 ? "n/a" : Long.toString(echoBytes));
        }
    }

    /**
     * Appends a Markdown list of the transports with their descriptions.
     */
    static void appendDescriptions(
        final StringBuilder md, final List<String> names, final IntFunction<String> description)
    {
        for (int t = 0; t < names.size(); t++)
        {
            md.append("- `").append(names.get(t)).append("`: ").append(description.apply(t)).append('\n');
        }
    }

    /**
     * The Markdown report: a heading, what was run, and the main table (both tables in fixed-rate mode), with each
     * transport's p50 ratio to {@code floor} and {@code uds}.
     *
     * @param result what was measured.
     * @return the Markdown text, ending with a line break.
     */
    public static String markdown(final PingPongResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# ShmLink cross-process ping-pong\n\n");
        md.append(title(result)).append("\n\n");
        appendDescriptions(md, result.transports(), result::description);
        md.append('\n').append(hostLine(result.loadAverage())).append("\n\n");
        md.append(markdownTables(result));
        return md.toString();
    }

    private static String markdownTables(final PingPongResult result)
    {
        final StringBuilder md = new StringBuilder();
        final List<Integer> references = present(result, MARKDOWN_REFERENCES);
        if (result.fixedRate())
        {
            md.append("Corrected (from the intended send time), ns:\n\n");
            markdownTable(result, result::overall, false, references, md);
            md.append("\nUncorrected (from the actual send time), ns:\n\n");
            markdownTable(result, result::uncorrected, true, references, md);
        }
        else
        {
            md.append("Round-trip time, ns:\n\n");
            markdownTable(result, result::overall, false, references, md);
        }
        if (!references.isEmpty())
        {
            md.append("\nRatios: the transport's p50 over the reference's, taken within each round; median over " +
                "rounds [min..max].\n");
        }
        return md.toString();
    }

    private static void markdownTable(
        final PingPongResult result, final IntFunction<Histogram> histograms, final boolean uncorrected,
        final List<Integer> references, final StringBuilder md)
    {
        final List<String> names = result.transports();
        md.append("| transport | p50 | p90 | p99 | p99.9 | p99.99 | max | mean |");
        for (final int reference : references)
        {
            md.append(" p50 vs ").append(names.get(reference)).append(" |");
        }
        md.append("\n|---|---:|---:|---:|---:|---:|---:|---:|");
        md.append("---:|".repeat(references.size()));
        md.append('\n');
        for (int t = 0; t < names.size(); t++)
        {
            final Histogram h = histograms.apply(t);
            md.append("| ").append(names.get(t)).append(" |");
            for (final double percentile : PERCENTILES)
            {
                md.append(' ').append(h.getValueAtPercentile(percentile)).append(" |");
            }
            md.append(' ').append(h.getMaxValue()).append(" |");
            md.append(String.format(Locale.ROOT, " %.0f |", h.getMean()));
            for (final int reference : references)
            {
                md.append(' ').append(format(uncorrected ? result.uncorrectedP50Ratio(t, reference) :
                    result.p50Ratio(t, reference))).append(" |");
            }
            md.append('\n');
        }
    }

    /**
     * Writes the results folder: {@value #MARKDOWN_FILE}, {@value #TEXT_FILE} (the printed report), the
     * {@code .hgrm} files of {@link #writeHgrm}, and the percentile plot of every transport,
     * {@value PercentilePlot#FILE} ({@link #writePlot}).
     *
     * @param result     what was measured.
     * @param printed    the report as printed.
     * @param directory  the folder; created if absent.
     * @return the files written.
     * @throws IOException if writing fails.
     */
    public static List<Path> writeResults(final PingPongResult result, final String printed, final Path directory)
        throws IOException
    {
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        files.add(Files.writeString(directory.resolve(MARKDOWN_FILE), markdown(result), StandardCharsets.UTF_8));
        files.add(Files.writeString(directory.resolve(TEXT_FILE), printed, StandardCharsets.UTF_8));
        files.addAll(writeHgrm(result, directory));
        files.add(writePlot(result, directory));
        return files;
    }

    /**
     * Writes {@value PercentilePlot#FILE}: every transport's overall histogram (the corrected one at a fixed rate) on
     * one log-log chart, as HdrHistogram's plotter draws the {@code .hgrm} files.
     *
     * @param result    what was measured.
     * @param directory where to write; created if absent.
     * @return the file written.
     * @throws IOException if writing fails.
     */
    public static Path writePlot(final PingPongResult result, final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final PingPongOptions options = result.options();
        final String title = result.fixedRate() ?
            String.format(Locale.ROOT, "Latency by percentile at %,d pings/s (corrected for coordinated omission)",
                options.rate()) :
            "Round-trip time by percentile";
        final String subtitle = String.format(Locale.ROOT, "%d-byte messages, %d interleaved rounds x %,d per " +
            "transport, %d CPUs", options.messageLength(), options.rounds(), options.count(),
            Runtime.getRuntime().availableProcessors());
        return PercentilePlot.write(title, subtitle, result.transports(), result::overall,
            directory.resolve(PercentilePlot.FILE));
    }

    /**
     * Writes {@code <transport>.hgrm} per transport: the overall histogram's percentile distribution, values in ns,
     * in the format HdrHistogram's plotter reads; in fixed-rate mode (where that histogram is the corrected one)
     * also {@code <transport>.uncorrected.hgrm}.
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
            final String name = result.transports().get(t);
            files.add(writeHgrm(result.overall(t), directory.resolve(name + ".hgrm")));
            if (result.fixedRate())
            {
                files.add(writeHgrm(result.uncorrected(t), directory.resolve(name + UNCORRECTED_SUFFIX + ".hgrm")));
            }
        }
        return files;
    }

    private static Path writeHgrm(final Histogram histogram, final Path file) throws IOException
    {
        try (OutputStream stream = Files.newOutputStream(file);
            PrintStream out = new PrintStream(stream, false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 1.0);
        }
        return file;
    }

    private static String title(final PingPongResult result)
    {
        final PingPongOptions options = result.options();
        if (result.fixedRate())
        {
            return String.format(Locale.ROOT, "Latency in ns between two JVMs at a fixed rate of %,d pings/s: " +
                "%d-byte messages, %d interleaved rounds x %,d pings per transport, after warm-up. Corrected for " +
                "coordinated omission: timed from each ping's intended send time.", options.rate(),
                options.messageLength(), options.rounds(), options.count());
        }
        return String.format(Locale.ROOT, "Round-trip time (RTT) in ns between two JVMs: %d-byte messages, %d " +
            "interleaved rounds x %,d round trips per transport, after %,d warm-up round trips each.",
            options.messageLength(), options.rounds(), options.count(), options.warmup());
    }

    /**
     * Printed, not judged: the 1-minute average also remembers whatever ran just before (a build, say). The run
     * itself keeps two CPUs busy; anything else busy at the same time shows up in the tails.
     */
    static String hostLine(final double loadAverage)
    {
        return String.format(Locale.ROOT, "Host: %d CPUs, 1-minute load average %.2f when the run started.",
            Runtime.getRuntime().availableProcessors(), loadAverage);
    }

    private static void printTable(
        final PingPongResult result, final IntFunction<Histogram> histograms, final String nameColumn,
        final PrintStream out)
    {
        // Wide enough for the largest value: a fixed-rate run that falls behind records seconds.
        long largest = 0;
        for (int t = 0; t < result.transports().size(); t++)
        {
            final Histogram h = histograms.apply(t);
            largest = Math.max(largest, Math.max(h.getMaxValue(), h.getTotalCount()));
        }
        final int width = Math.max(9, Long.toString(largest).length() + 2);
        final String text = "%" + width + "s";
        final String number = "%" + width + "d";
        out.printf(Locale.ROOT, nameColumn + text.repeat(8) + "%n",
            "transport", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean");
        for (int t = 0; t < result.transports().size(); t++)
        {
            final Histogram h = histograms.apply(t);
            out.printf(Locale.ROOT, nameColumn + number, result.transports().get(t), h.getTotalCount());
            for (final double percentile : PERCENTILES)
            {
                out.printf(Locale.ROOT, number, h.getValueAtPercentile(percentile));
            }
            out.printf(Locale.ROOT, number + "%" + width + ".0f%n", h.getMaxValue(), h.getMean());
        }
    }

    private static List<Integer> present(final PingPongResult result, final List<String> candidates)
    {
        final List<Integer> indices = new ArrayList<>();
        for (final String name : candidates)
        {
            if (result.indexOf(name) >= 0)
            {
                indices.add(result.indexOf(name));
            }
        }
        return indices;
    }

    static String format(final PingPongResult.RatioSummary ratio)
    {
        return ratio(ratio.median()) + " [" + ratio(ratio.min()) + ".." + ratio(ratio.max()) + "]";
    }

    /**
     * Two decimals; three significant digits for a small ratio (the floor against a socket is about 0.004), so it
     * does not read 0.00; none for a large one (a socket's backlog at a rate it cannot sustain, against the floor).
     */
    private static String ratio(final double value)
    {
        if (value >= 1000)
        {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, value >= 0.1 ? "%.2f" : "%.3g", value);
    }
}
