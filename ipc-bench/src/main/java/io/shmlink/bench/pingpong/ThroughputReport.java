package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints a {@link ThroughputResult}: bandwidth per contender (median over rounds, with the range) and its ratios,
 * taken within each round, to the references of the same run: {@code floor} (the bare two-process ring) and
 * {@code agrona} with the same send and sink modes, and the two memcpy references; the floor's own ratio to memcpy;
 * page faults per GiB moved; per-round figures; the allocation check; and the tables again in Markdown. Writes
 * {@value Report#MARKDOWN_FILE}, {@value Report#TEXT_FILE} and {@value #CSV_FILE}.
 */
public final class ThroughputReport
{
    /** The machine-readable summary in the results folder, read by {@link BandwidthPlot}. */
    public static final String CSV_FILE = "throughput.csv";

    /** The header line of {@value #CSV_FILE}. */
    public static final String CSV_HEADER = "message_bytes,contender,mb_per_s_median,mb_per_s_min,mb_per_s_max";

    /** The reference transport with the same modes: the bare two-process ring. */
    public static final String FLOOR = "floor";

    /** The library baseline with the same modes. */
    public static final String AGRONA = "agrona";

    /** The contender whose ratio to memcpy is printed on its own. */
    public static final String FLOOR_OFFER_IN_PLACE = Contender.name(FLOOR, SendMode.OFFER, SinkMode.IN_PLACE);

    private ThroughputReport()
    {
    }

    /**
     * Prints the report.
     *
     * @param result what was measured.
     * @param out    where to print.
     */
    public static void print(final ThroughputResult result, final PrintStream out)
    {
        final List<String> names = result.contenders();
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
        out.println(Report.hostLine(result.loadAverage()));

        out.println();
        out.println("Over rounds: median [min..max]; MB = 10^6 bytes; each ratio is taken within each round (floor " +
            "and agrona: the ones with the same send/sink modes)");
        out.printf(Locale.ROOT, nameColumn + "%10s%22s%14s  %-20s  %-20s  %-20s  %-20s%n", "contender", "MB/s",
            "[min..max]", "msgs/s", "vs floor", "vs agrona", "vs memcpy-dram", "vs memcpy-cache");
        for (int c = 0; c < names.size(); c++)
        {
            final PingPongResult.RatioSummary rate = result.megabytesPerSecond(c);
            final String[] ratios = ratios(result, c);
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
            "stat, read before and after each): minor/major");
        out.printf(Locale.ROOT, nameColumn + "%18s%18s%18s%18s%n", "contender", "sender process", "sender thread",
            "sink process", "sink thread");
        for (int c = 0; c < names.size(); c++)
        {
            out.printf(Locale.ROOT, nameColumn + "%18s%18s%18s%18s%n", names.get(c),
                faults(result, c, ThroughputResult.SENDER_PROCESS), faults(result, c, ThroughputResult.SENDER_THREAD),
                faults(result, c, ThroughputResult.SINK_PROCESS), faults(result, c, ThroughputResult.SINK_THREAD));
        }

        out.println();
        out.println("The sending process's other threads' minor faults per GiB (/proc/self/task), the three that took most:");
        for (int c = 0; c < names.size(); c++)
        {
            out.printf(Locale.ROOT, nameColumn + "  %s%n", names.get(c), threadFaults(result, c));
        }

        out.println();
        out.println("MB/s per round:");
        out.printf(Locale.ROOT, "%-7s", "round");
        for (final String name : names)
        {
            out.printf(Locale.ROOT, "%" + (width + 2) + "s", name);
        }
        out.println();
        for (int r = 0; r < result.roundCount(); r++)
        {
            out.printf(Locale.ROOT, "%-7d", r + 1);
            for (int c = 0; c < names.size(); c++)
            {
                out.printf(Locale.ROOT, "%," + (width + 2) + ".0f", result.megabytesPerSecond(r, c));
            }
            out.println();
        }

        out.println();
        out.println("Bytes allocated in the hot loops (0 expected): sending thread in measured bursts; sink thread in");
        out.println("every sink loop but each transport's first (class loading), warm-up included, all its modes together");
        Report.printAllocations(out, nameColumn, names, "sender", "sink", result::pingerAllocatedBytes,
            result::echoAllocatedBytes);

        out.println();
        out.println("Markdown:");
        out.println();
        out.print(tables(result));
    }

    /**
     * The Markdown report: a heading, what was run, and the tables.
     *
     * @param result what was measured.
     * @return the Markdown text, ending with a line break.
     */
    public static String markdown(final ThroughputResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# ShmLink cross-process one-way throughput\n\n");
        md.append(title(result)).append("\n\n");
        Report.appendDescriptions(md, result.contenders(), result::description);
        for (final String name : result.skipped())
        {
            md.append("- `").append(name).append("`: skipped, no throughput mode\n");
        }
        md.append('\n').append(Report.hostLine(result.loadAverage())).append("\n\n");
        md.append(tables(result));
        md.append("\nThe sending process's other threads' minor faults per GiB, the three that took most (`/proc/self/task`;")
            .append(" names as the kernel keeps them, 15 characters). A thread's first touch of a heap page is a fault:")
            .append(" the echo child runs with `-XX:+AlwaysPreTouch`, and so does the sender if it is started with it.")
            .append(" The JIT's compiler threads still fault while they compile.\n\n");
        md.append("| contender | threads |\n|---|---|\n");
        for (int c = 0; c < result.contenders().size(); c++)
        {
            md.append(String.format(Locale.ROOT, "| %s | %s |%n", result.contenders().get(c), threadFaults(result, c)));
        }
        return md.toString();
    }

    private static String threadFaults(final ThroughputResult result, final int contender)
    {
        final StringBuilder line = new StringBuilder();
        result.senderThreadFaultsPerGib(contender, 3).forEach((name, perGib) ->
            line.append(line.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", perGib)));
        return line.length() == 0 ? "none" : line.toString();
    }

    /**
     * The summary as CSV ({@link #CSV_HEADER}): one line per contender.
     *
     * @param result what was measured.
     * @return the CSV text, ending with a line break.
     */
    public static String csv(final ThroughputResult result)
    {
        final StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (int c = 0; c < result.contenders().size(); c++)
        {
            final PingPongResult.RatioSummary rate = result.megabytesPerSecond(c);
            csv.append(String.format(Locale.ROOT, "%d,%s,%.1f,%.1f,%.1f%n", result.options().messageLength(),
                result.contenders().get(c), rate.median(), rate.min(), rate.max()));
        }
        return csv.toString();
    }

    private static String tables(final ThroughputResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append("Bandwidth:\n\n");
        md.append("| contender | MB/s (median) | min | max | vs floor | vs agrona | vs memcpy-dram | vs memcpy-cache |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int c = 0; c < result.contenders().size(); c++)
        {
            final PingPongResult.RatioSummary rate = result.megabytesPerSecond(c);
            final String[] ratios = ratios(result, c);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %s | %s | %s | %s |%n",
                result.contenders().get(c), rate.median(), rate.min(), rate.max(), ratios[0], ratios[1], ratios[2],
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
        md.append("\nPage faults per GiB moved, in the measured bursts only, minor/major:\n\n");
        md.append("| contender | sender process | sender thread | sink process | sink thread |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (int c = 0; c < result.contenders().size(); c++)
        {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", result.contenders().get(c),
                faults(result, c, ThroughputResult.SENDER_PROCESS), faults(result, c, ThroughputResult.SENDER_THREAD),
                faults(result, c, ThroughputResult.SINK_PROCESS), faults(result, c, ThroughputResult.SINK_THREAD)));
        }
        return md.toString();
    }

    /**
     * @return the contender's ratios to the floor and agrona of the same modes, to memcpy-dram and memcpy-cache; "-"
     * where there is no such reference or it is the contender itself.
     */
    private static String[] ratios(final ThroughputResult result, final int contender)
    {
        final int[] references = {
            result.sameModes(contender, FLOOR), result.sameModes(contender, AGRONA),
            result.indexOf(Contender.MEMCPY_DRAM), result.indexOf(Contender.MEMCPY_CACHE)};
        final String[] ratios = new String[references.length];
        for (int i = 0; i < references.length; i++)
        {
            ratios[i] = references[i] < 0 || references[i] == contender ? "-" :
                Report.format(result.ratio(contender, references[i]));
        }
        return ratios;
    }

    /**
     * @return the line giving the floor's ratio to both memcpy references, or null if one is missing.
     */
    private static String physics(final ThroughputResult result)
    {
        final int floor = result.indexOf(FLOOR_OFFER_IN_PLACE);
        final int dram = result.indexOf(Contender.MEMCPY_DRAM);
        final int cache = result.indexOf(Contender.MEMCPY_CACHE);
        if (floor < 0 || dram < 0 || cache < 0)
        {
            return null;
        }
        return "The physics: `" + FLOOR_OFFER_IN_PLACE + "` (two processes, one handing each line to the other) " +
            "over one thread's memcpy through DRAM: " + Report.format(result.ratio(floor, dram)) +
            "; over a cache-resident memcpy: " + Report.format(result.ratio(floor, cache)) + ".";
    }

    private static String faults(final ThroughputResult result, final int contender, final int counter)
    {
        final double minor = result.faultsPerGib(contender, counter);
        final double major = result.faultsPerGib(contender, counter + 1);
        if (minor < 0 || major < 0)
        {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%s/%s", count(minor), count(major));
    }

    private static String count(final double value)
    {
        return value == 0 ? "0" : String.format(Locale.ROOT, value >= 10 ? "%.0f" : "%.2f", value);
    }

    /**
     * Writes {@value Report#MARKDOWN_FILE}, {@value Report#TEXT_FILE} and {@value #CSV_FILE} into the results folder.
     *
     * @param result    what was measured.
     * @param printed   the report as printed.
     * @param directory the folder; created if absent.
     * @return the files written.
     * @throws IOException if writing fails.
     */
    public static List<Path> writeResults(final ThroughputResult result, final String printed, final Path directory)
        throws IOException
    {
        Files.createDirectories(directory);
        final List<Path> files = new ArrayList<>();
        files.add(Files.writeString(directory.resolve(Report.MARKDOWN_FILE), markdown(result), StandardCharsets.UTF_8));
        files.add(Files.writeString(directory.resolve(Report.TEXT_FILE), printed, StandardCharsets.UTF_8));
        files.add(Files.writeString(directory.resolve(CSV_FILE), csv(result), StandardCharsets.UTF_8));
        return files;
    }

    private static String title(final ThroughputResult result)
    {
        final PingPongOptions options = result.options();
        return String.format(Locale.ROOT, "One-way throughput between two JVMs: %d-byte messages, %d interleaved " +
            "rounds x one burst of %,d messages (%,d bytes) per contender, after %,d warm-up messages each; every " +
            "message holds fresh data and the sink reads every byte of it, checked by a checksum; a burst is timed " +
            "from its first send to the sink's acknowledgement of its last message.", options.messageLength(),
            options.rounds(), options.count(), result.bytesPerRound(), options.warmup());
    }
}
