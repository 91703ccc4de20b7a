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

/**
 * Prints a {@link BenchResult} of any mode, and writes the results folder: {@value #MARKDOWN_FILE} and
 * {@value #TEXT_FILE} always; a latency run's HdrHistogram {@code .hgrm} files and the PNG of their percentile
 * distributions ({@link PercentilePlot}); a throughput run's {@value #CSV_FILE}, which {@link BandwidthPlot} reads.
 * <p>
 * Every report has the same frame: what ran (each column's description, the host's load), the mode's tables, each
 * column's figure per round, the allocation check, and the tables again in Markdown. The tables:
 * <ul>
 *   <li>latency: the percentile table per transport (two at a fixed rate: corrected and uncorrected), and after the
 *   rounds the p50 ratios to the floor, to ShmLink SPSC and to the Unix-domain socket;</li>
 *   <li>throughput: bandwidth per contender and its ratios to {@code floor} (the bare two-process ring) and
 *   {@code agrona} with the same send and sink modes and to the two memcpy references, the floor's own ratio to
 *   memcpy, page faults and CPU seconds per GiB moved, and the sending process's threads that took the most
 *   faults.</li>
 * </ul>
 * Every ratio is taken within each round and summarised over rounds ({@link Summary}).
 */
public final class Report
{
    /** The reference transports of a latency run's ratio table, when they were run. */
    public static final List<String> REFERENCES = List.of("floor", "shmlink-spsc", "uds");

    /** The references of a latency run's Markdown ratio columns, when they were run. */
    public static final List<String> MARKDOWN_REFERENCES = List.of("floor", "uds");

    /** The Markdown report's name in the results folder. */
    public static final String MARKDOWN_FILE = "results.md";

    /** The printed report's name in the results folder. */
    public static final String TEXT_FILE = "report.txt";

    /** Suffix of the uncorrected histograms' files in fixed-rate mode: {@code <transport>.uncorrected.hgrm}. */
    public static final String UNCORRECTED_SUFFIX = ".uncorrected";

    /** A throughput run's machine-readable summary in the results folder, read by {@link BandwidthPlot}. */
    public static final String CSV_FILE = "throughput.csv";

    /** The header line of {@value #CSV_FILE}. */
    public static final String CSV_HEADER = "message_bytes,contender,mb_per_s_median,mb_per_s_min,mb_per_s_max";

    /** A throughput run's reference with the same modes: the bare two-process ring. */
    public static final String FLOOR = "floor";

    /** A throughput run's library baseline with the same modes. */
    public static final String AGRONA = "agrona";

    /** The contender whose ratio to memcpy is printed on its own. */
    public static final String FLOOR_OFFER_IN_PLACE = Contender.name(FLOOR, SendMode.OFFER, SinkMode.IN_PLACE);

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
    public static void print(final BenchResult result, final PrintStream out)
    {
        final List<String> names = result.columns();
        final int width = Math.max(12, names.stream().mapToInt(String::length).max().orElse(0) + 2);
        final String nameColumn = "%-" + width + "s";

        out.println();
        out.println(title(result));
        for (int c = 0; c < names.size(); c++)
        {
            out.printf(Locale.ROOT, "  " + nameColumn + "%s%n", names.get(c), result.description(c));
        }
        for (final String name : result.skipped())
        {
            out.printf(Locale.ROOT, "  " + nameColumn + "skipped: no throughput mode%n", name);
        }
        out.println(hostLine(result.session().loadAverage()));

        if (result.throughput())
        {
            printBandwidth(result, nameColumn, out);
        }
        else
        {
            printPercentiles(result, nameColumn, out);
        }

        out.println();
        out.println(result.throughput() ? "MB/s per round:" :
            result.fixedRate() ? "p50 per round (ns, corrected):" : "p50 per round (ns):");
        final String cell = "%" + (width + 2) + "s";
        out.printf(Locale.ROOT, "%-7s", "round");
        for (final String name : names)
        {
            out.printf(Locale.ROOT, cell, name);
        }
        out.println();
        for (int r = 0; r < result.roundCount(); r++)
        {
            out.printf(Locale.ROOT, "%-7d", r + 1);
            for (int c = 0; c < names.size(); c++)
            {
                final double figure = result.figure(r, c);
                out.printf(Locale.ROOT, cell, result.throughput() ?
                    String.format(Locale.ROOT, "%,.0f", figure) : Long.toString((long)figure));
            }
            out.println();
        }

        if (!result.throughput())
        {
            printRatios(result, nameColumn, out);
        }

        out.println();
        if (result.throughput())
        {
            out.println("Bytes allocated in the hot loops (0 expected): sending thread in measured bursts; " +
                "sink thread in");
            out.println("every sink loop but each transport's first (class loading), warm-up included, " +
                "all its modes together");
        }
        else
        {
            out.println("Bytes allocated in the hot loops (0 expected): pinging thread in measured rounds; " +
                "echo thread in");
            out.println("every echo loop but each transport's first (class loading), warm-up included");
        }
        out.printf(Locale.ROOT, nameColumn + "%12s%12s%n", "transport", result.throughput() ? "sender" : "pinger",
            result.throughput() ? "sink" : "echo");
        for (int c = 0; c < names.size(); c++)
        {
            final long echoBytes = result.echoAllocatedBytes(c);
            out.printf(Locale.ROOT, nameColumn + "%12d%12s%n", names.get(c), result.pingerAllocatedBytes(c),
                echoBytes < 0 ? "n/a" : Long.toString(echoBytes));
        }

        out.println();
        out.println("Markdown:");
        out.println();
        out.print(tables(result));
    }

    /**
     * Latency: the percentile table of every transport, corrected and uncorrected at a fixed rate.
     */
    private static void printPercentiles(final BenchResult result, final String nameColumn, final PrintStream out)
    {
        if (result.fixedRate())
        {
            out.println();
            out.println("Corrected: from each ping's intended send time to its echo (includes waiting for a late " +
                "send)");
            printPercentileTable(result, result::overall, nameColumn, out);
            out.println();
            out.println("Uncorrected: from each ping's actual send time to its echo (blind to coordinated omission)");
            printPercentileTable(result, result::uncorrected, nameColumn, out);
        }
        else
        {
            out.println();
            printPercentileTable(result, result::overall, nameColumn, out);
        }
    }

    private static void printPercentileTable(
        final BenchResult result, final IntFunction<Histogram> histograms, final String nameColumn,
        final PrintStream out)
    {
        // Wide enough for the largest value: a fixed-rate run that falls behind records seconds.
        long largest = 0;
        for (int t = 0; t < result.columns().size(); t++)
        {
            final Histogram h = histograms.apply(t);
            largest = Math.max(largest, Math.max(h.getMaxValue(), h.getTotalCount()));
        }
        final int width = Math.max(9, Long.toString(largest).length() + 2);
        final String text = "%" + width + "s";
        final String number = "%" + width + "d";
        out.printf(Locale.ROOT, nameColumn + text.repeat(8) + "%n",
            "transport", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean");
        for (int t = 0; t < result.columns().size(); t++)
        {
            final Histogram h = histograms.apply(t);
            out.printf(Locale.ROOT, nameColumn + number, result.columns().get(t), h.getTotalCount());
            for (final double percentile : PERCENTILES)
            {
                out.printf(Locale.ROOT, number, h.getValueAtPercentile(percentile));
            }
            out.printf(Locale.ROOT, number + "%" + width + ".0f%n", h.getMaxValue(), h.getMean());
        }
    }

    /**
     * Latency: each transport's p50 ratio to each of {@link #REFERENCES} that ran.
     */
    private static void printRatios(final BenchResult result, final String nameColumn, final PrintStream out)
    {
        final List<String> names = result.columns();
        final List<Integer> references = present(result, REFERENCES);
        if (references.isEmpty())
        {
            return;
        }
        out.println();
        out.println("p50 ratio to a reference, computed within each round: median over rounds [min..max]" +
            (result.fixedRate() ? " (corrected)" : ""));
        final String[][] cells = new String[names.size()][references.size()];
        int cellWidth = 0;
        for (int t = 0; t < names.size(); t++)
        {
            for (int i = 0; i < references.size(); i++)
            {
                cells[t][i] = result.ratio(t, references.get(i)).ratioText();
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

    /**
     * Throughput: bandwidth and ratios, the physics line, page faults, and the threads that took them.
     */
    private static void printBandwidth(final BenchResult result, final String nameColumn, final PrintStream out)
    {
        final List<String> names = result.columns();
        out.println();
        out.println("Over rounds: median [min..max]; MB = 10^6 bytes; each ratio is taken within each round (floor " +
            "and agrona: the ones with the same send/sink modes)");
        out.printf(Locale.ROOT, nameColumn + "%10s%22s%14s  %-20s  %-20s  %-20s  %-20s%n", "contender", "MB/s",
            "[min..max]", "msgs/s", "vs floor", "vs agrona", "vs memcpy-dram", "vs memcpy-cache");
        for (int c = 0; c < names.size(); c++)
        {
            final Summary rate = result.megabytesPerSecond(c);
            final String[] ratios = bandwidthRatios(result, c);
            out.printf(Locale.ROOT, nameColumn + "%,10.0f%22s%,14.0f  %-20s  %-20s  %-20s  %-20s%n", names.get(c),
                rate.median(), String.format(Locale.ROOT, "[%,.0f..%,.0f]", rate.min(), rate.max()),
                result.messagesPerSecond(c).median(), ratios[0], ratios[1], ratios[2], ratios[3]);
        }
        final String physics = physics(result);
        if (physics != null)
        {
            out.println();
            out.println(physics);
        }

        out.println();
        out.println("Page faults per GiB moved, in the measured bursts only (/proc/self/stat and /proc/thread-self/" +
            "stat, read before and after each): minor/major; and each process's CPU seconds (utime+stime) per GiB");
        out.printf(Locale.ROOT, nameColumn + "%18s%18s%18s%18s%16s%16s%n", "contender", "sender process",
            "sender thread", "sink process", "sink thread", "sender CPU s", "sink CPU s");
        for (int c = 0; c < names.size(); c++)
        {
            final String[] faults = faults(result, c);
            out.printf(Locale.ROOT, nameColumn + "%18s%18s%18s%18s%16s%16s%n", names.get(c), faults[0], faults[1],
                faults[2], faults[3], cpu(result, c, false), cpu(result, c, true));
        }

        out.println();
        out.println("The sending process's other threads' minor faults per GiB (/proc/self/task), " +
            "the three that took most:");
        for (int c = 0; c < names.size(); c++)
        {
            out.printf(Locale.ROOT, nameColumn + "  %s%n", names.get(c), threadFaults(result, c));
        }
    }

    /**
     * The Markdown report: a heading, what was run, and the mode's tables.
     *
     * @param result what was measured.
     * @return the Markdown text, ending with a line break.
     */
    public static String markdown(final BenchResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append(result.throughput() ? "# ShmLink cross-process one-way throughput\n\n" :
            "# ShmLink cross-process ping-pong\n\n");
        md.append(title(result)).append("\n\n");
        for (int c = 0; c < result.columns().size(); c++)
        {
            md.append("- `").append(result.columns().get(c)).append("`: ").append(result.description(c)).append('\n');
        }
        for (final String name : result.skipped())
        {
            md.append("- `").append(name).append("`: skipped, no throughput mode\n");
        }
        md.append('\n').append(hostLine(result.session().loadAverage())).append("\n\n");
        md.append(tables(result));
        if (result.throughput())
        {
            md.append("\nThe sending process's other threads' minor faults per GiB, the three that took most ")
                .append("(`/proc/self/task`; names as the kernel keeps them, 15 characters). A thread's first touch ")
                .append("of a heap page is a fault: the echo child runs with `-XX:+AlwaysPreTouch`, and so does the ")
                .append("sender if it is started with it.")
                .append(" The JIT's compiler threads still fault while they compile.\n\n");
            md.append("| contender | threads |\n|---|---|\n");
            for (int c = 0; c < result.columns().size(); c++)
            {
                md.append(String.format(Locale.ROOT, "| %s | %s |%n", result.columns().get(c),
                    threadFaults(result, c)));
            }
        }
        return md.toString();
    }

    /**
     * The Markdown tables the printed report ends with.
     */
    private static String tables(final BenchResult result)
    {
        return result.throughput() ? bandwidthTables(result) : latencyTables(result);
    }

    /**
     * Latency: the main table (both tables at a fixed rate), with each transport's p50 ratio to {@code floor} and
     * {@code uds}.
     */
    private static String latencyTables(final BenchResult result)
    {
        final StringBuilder md = new StringBuilder();
        final List<Integer> references = present(result, MARKDOWN_REFERENCES);
        if (result.fixedRate())
        {
            md.append("Corrected (from the intended send time), ns:\n\n");
            latencyTable(result, result::overall, false, references, md);
            md.append("\nUncorrected (from the actual send time), ns:\n\n");
            latencyTable(result, result::uncorrected, true, references, md);
        }
        else
        {
            md.append("Round-trip time, ns:\n\n");
            latencyTable(result, result::overall, false, references, md);
        }
        if (!references.isEmpty())
        {
            md.append("\nRatios: the transport's p50 over the reference's, taken within each round; median over " +
                "rounds [min..max].\n");
        }
        return md.toString();
    }

    private static void latencyTable(
        final BenchResult result, final IntFunction<Histogram> histograms, final boolean uncorrected,
        final List<Integer> references, final StringBuilder md)
    {
        final List<String> names = result.columns();
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
                md.append(' ').append((uncorrected ? result.uncorrectedRatio(t, reference) :
                    result.ratio(t, reference)).ratioText()).append(" |");
            }
            md.append('\n');
        }
    }

    /**
     * Throughput: bandwidth and ratios, the physics line, page faults.
     */
    private static String bandwidthTables(final BenchResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append("Bandwidth:\n\n");
        md.append("| contender | MB/s (median) | min | max | vs floor | vs agrona | vs memcpy-dram | ")
            .append("vs memcpy-cache |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int c = 0; c < result.columns().size(); c++)
        {
            final Summary rate = result.megabytesPerSecond(c);
            final String[] ratios = bandwidthRatios(result, c);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %s | %s | %s | %s |%n",
                result.columns().get(c), rate.median(), rate.min(), rate.max(), ratios[0], ratios[1], ratios[2],
                ratios[3]));
        }
        md.append("\nOver rounds: median, min and max; MB = 10^6 bytes. Each ratio (bandwidth over the reference's, ")
            .append("for the same bytes) is taken within each round, then summarised: median [min..max]; `floor` ")
            .append("and `agrona` with the same send and sink modes.\n");
        final String physics = physics(result);
        if (physics != null)
        {
            md.append('\n').append(physics).append('\n');
        }
        md.append("\nPer GiB moved, in the measured bursts only: page faults, minor/major, and CPU seconds of each ")
            .append("process (`utime + stime` of every thread, from `/proc/self/stat`; the sink's from the burst's ")
            .append("first message):\n\n");
        md.append("| contender | sender process | sender thread | sink process | sink thread | sender CPU s/GiB | ")
            .append("sink CPU s/GiB |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (int c = 0; c < result.columns().size(); c++)
        {
            final String[] faults = faults(result, c);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", result.columns().get(c),
                faults[0], faults[1], faults[2], faults[3], cpu(result, c, false), cpu(result, c, true)));
        }
        return md.toString();
    }

    /**
     * @return the contender's ratios to the floor and agrona of the same modes, to memcpy-dram and memcpy-cache; "-"
     * where there is no such reference or it is the contender itself.
     */
    private static String[] bandwidthRatios(final BenchResult result, final int contender)
    {
        final int[] references = {
            result.sameModes(contender, FLOOR), result.sameModes(contender, AGRONA),
            result.indexOf(Contender.MEMCPY_DRAM), result.indexOf(Contender.MEMCPY_CACHE)};
        final String[] ratios = new String[references.length];
        for (int i = 0; i < references.length; i++)
        {
            ratios[i] = references[i] < 0 || references[i] == contender ? "-" :
                result.ratio(contender, references[i]).ratioText();
        }
        return ratios;
    }

    /**
     * @return the line giving the floor's ratio to both memcpy references, or null if one is missing.
     */
    private static String physics(final BenchResult result)
    {
        final int floor = result.indexOf(FLOOR_OFFER_IN_PLACE);
        final int dram = result.indexOf(Contender.MEMCPY_DRAM);
        final int cache = result.indexOf(Contender.MEMCPY_CACHE);
        if (floor < 0 || dram < 0 || cache < 0)
        {
            return null;
        }
        return "The physics: `" + FLOOR_OFFER_IN_PLACE + "` (two processes, one handing each line to the other) " +
            "over one thread's memcpy through DRAM: " + result.ratio(floor, dram).ratioText() +
            "; over a cache-resident memcpy: " + result.ratio(floor, cache).ratioText() + ".";
    }

    /**
     * @return the contender's faults per GiB, minor/major, of the sender process and thread and the sink process and
     * thread; "n/a" where unknown.
     */
    private static String[] faults(final BenchResult result, final int contender)
    {
        final int[] counters = {
            BenchResult.SENDER_PROCESS, BenchResult.SENDER_THREAD, BenchResult.SINK_PROCESS, BenchResult.SINK_THREAD};
        final String[] faults = new String[counters.length];
        for (int i = 0; i < counters.length; i++)
        {
            final double minor = result.faultsPerGib(contender, counters[i]);
            final double major = result.faultsPerGib(contender, counters[i] + 1);
            faults[i] = minor < 0 || major < 0 ? "n/a" : count(minor) + "/" + count(major);
        }
        return faults;
    }

    /**
     * @return the contender's CPU seconds per GiB on one side, to the hundredth; "n/a" where unknown.
     */
    private static String cpu(final BenchResult result, final int contender, final boolean sink)
    {
        final double seconds = result.cpuSecondsPerGib(contender, sink);
        return seconds < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", seconds);
    }

    private static String count(final double value)
    {
        return value == 0 ? "0" : String.format(Locale.ROOT, value >= 10 ? "%.0f" : "%.2f", value);
    }

    private static String threadFaults(final BenchResult result, final int contender)
    {
        final StringBuilder line = new StringBuilder();
        result.senderThreadFaultsPerGib(contender, 3).forEach((name, perGib) ->
            line.append(line.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", perGib)));
        return line.length() == 0 ? "none" : line.toString();
    }

    /**
     * A throughput run's summary as CSV ({@link #CSV_HEADER}): one line per contender.
     *
     * @param result what was measured.
     * @return the CSV text, ending with a line break.
     */
    public static String csv(final BenchResult result)
    {
        final StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (int c = 0; c < result.columns().size(); c++)
        {
            final Summary rate = result.megabytesPerSecond(c);
            csv.append(String.format(Locale.ROOT, "%d,%s,%.1f,%.1f,%.1f%n", result.options().messageLength(),
                result.columns().get(c), rate.median(), rate.min(), rate.max()));
        }
        return csv.toString();
    }

    /**
     * Writes the results folder: {@value #MARKDOWN_FILE}, {@value #TEXT_FILE} (the printed report), and a latency
     * run's {@code .hgrm} files ({@link #writeHgrm}) and percentile plot, {@value PercentilePlot#FILE}
     * ({@link #writePlot}), or a throughput run's {@value #CSV_FILE}.
     *
     * @param result    what was measured.
     * @param printed   the report as printed.
     * @param directory the folder; created if absent.
     * @return the files written.
     * @throws IOException if writing fails.
     */
    public static List<Path> writeResults(final BenchResult result, final String printed, final Path directory)
        throws IOException
    {
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        files.add(Files.writeString(directory.resolve(MARKDOWN_FILE), markdown(result), StandardCharsets.UTF_8));
        files.add(Files.writeString(directory.resolve(TEXT_FILE), printed, StandardCharsets.UTF_8));
        if (result.throughput())
        {
            files.add(Files.writeString(directory.resolve(CSV_FILE), csv(result), StandardCharsets.UTF_8));
        }
        else
        {
            files.addAll(writeHgrm(result, directory));
            files.add(writePlot(result, directory));
        }
        return files;
    }

    /**
     * Writes {@value PercentilePlot#FILE}: every transport's overall histogram (the corrected one at a fixed rate) on
     * one log-log chart, as HdrHistogram's plotter draws the {@code .hgrm} files.
     *
     * @param result    what a latency run measured.
     * @param directory where to write; created if absent.
     * @return the file written.
     * @throws IOException if writing fails.
     */
    public static Path writePlot(final BenchResult result, final Path directory) throws IOException
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
        return PercentilePlot.write(title, subtitle, result.columns(), result::overall,
            directory.resolve(PercentilePlot.FILE));
    }

    /**
     * Writes {@code <transport>.hgrm} per transport of a latency run: the overall histogram's percentile
     * distribution, values in ns, in the format HdrHistogram's plotter reads; at a fixed rate (where that histogram
     * is the corrected one) also {@code <transport>.uncorrected.hgrm}. A throughput run has no histograms: nothing.
     *
     * @param result    what was measured.
     * @param directory where to write; created if absent.
     * @return the files written.
     * @throws IOException if writing fails.
     */
    public static List<Path> writeHgrm(final BenchResult result, final Path directory) throws IOException
    {
        if (result.throughput())
        {
            return List.of();
        }
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        for (int t = 0; t < result.columns().size(); t++)
        {
            final String name = result.columns().get(t);
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

    private static String title(final BenchResult result)
    {
        final PingPongOptions options = result.options();
        if (result.throughput())
        {
            return String.format(Locale.ROOT, "One-way throughput between two JVMs: %d-byte messages, %d " +
                "interleaved rounds x one burst of %,d messages (%,d bytes) per contender, after %,d warm-up " +
                "messages " +
                "each; every message holds fresh data and the sink reads every byte of it, checked by a checksum; a " +
                "burst is timed from its first send to the sink's acknowledgement of its last message.",
                options.messageLength(), options.rounds(), options.count(), result.bytesPerRound(), options.warmup());
        }
        if (result.fixedRate())
        {
            return String.format(Locale.ROOT, "Latency in ns between two JVMs at a fixed rate of %,d pings/s: " +
                "%d-byte messages, %d interleaved rounds x %,d pings per transport, after warm-up. Corrected for " +
                "coordinated omission: timed from each ping's intended send time.", options.rate(),
                options.messageLength(), options.rounds(), options.count()) + shape(options);
        }
        return String.format(Locale.ROOT, "Round-trip time (RTT) in ns between two JVMs: %d-byte messages, %d " +
            "interleaved rounds x %,d round trips per transport, after %,d warm-up round trips each.",
            options.messageLength(), options.rounds(), options.count(), options.warmup()) + shape(options);
    }

    /**
     * The harness's shape when it is not the default one (every pinger in one JVM, one echo child).
     */
    private static String shape(final PingPongOptions options)
    {
        return options.freshJvms() ? " Fresh JVMs: each transport in each round ran in a new pinger JVM against a " +
            "new echo JVM, warm-up included." : "";
    }

    /**
     * Printed, not judged: the 1-minute average also remembers whatever ran just before (a build, say). The run
     * itself keeps two CPUs busy; anything else busy at the same time shows up in the tails.
     */
    private static String hostLine(final double loadAverage)
    {
        return String.format(Locale.ROOT, "Host: %d CPUs, 1-minute load average %.2f when the run started.",
            Runtime.getRuntime().availableProcessors(), loadAverage);
    }

    private static List<Integer> present(final BenchResult result, final List<String> candidates)
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
}
