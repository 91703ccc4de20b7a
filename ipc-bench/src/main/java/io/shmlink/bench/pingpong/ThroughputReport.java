package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints a {@link ThroughputResult}: messages and megabytes per second per transport (median over rounds, with the
 * range), per-round figures, the ratio to ShmLink SPSC taken within each round, the allocation check, and the
 * table again in Markdown; writes {@value Report#MARKDOWN_FILE} and {@value Report#TEXT_FILE}.
 */
public final class ThroughputReport
{
    /** The reference of the ratio column, when it was run. */
    public static final String REFERENCE = "shmlink-spsc";

    private static final double BYTES_PER_MB = 1e6;

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
        final List<String> names = result.transports();
        final int width = Math.max(12, names.stream().mapToInt(String::length).max().orElse(0) + 2);
        final String nameColumn = "%-" + width + "s";

        out.println();
        out.println(title(result));
        for (int t = 0; t < names.size(); t++)
        {
            out.printf(Locale.ROOT, "  " + nameColumn + "%s%n", names.get(t), result.description(t));
        }
        for (final String name : result.skipped())
        {
            out.printf(Locale.ROOT, "  " + nameColumn + "skipped: no throughput mode (one message at a time)%n", name);
        }
        out.println(Report.hostLine(result.loadAverage()));

        final int reference = result.indexOf(REFERENCE);
        out.println();
        out.println("Over rounds: median [min..max]; MB = 10^6 bytes" +
            (reference >= 0 ? "; ratio to " + REFERENCE + " taken within each round" : ""));
        out.printf(Locale.ROOT, nameColumn + "%14s%26s%10s%s%n", "transport", "msgs/s", "[min..max]", "MB/s",
            reference >= 0 ? String.format(Locale.ROOT, "  %-24s", "vs " + REFERENCE) : "");
        for (int t = 0; t < names.size(); t++)
        {
            final PingPongResult.RatioSummary rate = result.messagesPerSecond(t);
            out.printf(Locale.ROOT, nameColumn + "%,14.0f%26s%10.1f%s%n", names.get(t), rate.median(),
                String.format(Locale.ROOT, "[%,.0f..%,.0f]", rate.min(), rate.max()), megabytes(result, rate.median()),
                reference >= 0 ? String.format(Locale.ROOT, "  %-24s", Report.format(result.ratio(t, reference))) :
                    "");
        }

        out.println();
        out.println("msgs/s per round:");
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
                out.printf(Locale.ROOT, "%," + (width + 2) + ".0f", result.messagesPerSecond(r, t));
            }
            out.println();
        }

        out.println();
        out.println("Bytes allocated in the hot loops (0 expected): sending thread in measured bursts; sink thread in");
        out.println("every sink loop but each transport's first (class loading), warm-up included");
        Report.printAllocations(out, nameColumn, names, "sender", "sink", result::pingerAllocatedBytes,
            result::echoAllocatedBytes);

        out.println();
        out.println("Markdown:");
        out.println();
        out.print(table(result));
    }

    /**
     * The Markdown report: a heading, what was run, and the table.
     *
     * @param result what was measured.
     * @return the Markdown text, ending with a line break.
     */
    public static String markdown(final ThroughputResult result)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# ShmLink cross-process one-way throughput\n\n");
        md.append(title(result)).append("\n\n");
        Report.appendDescriptions(md, result.transports(), result::description);
        for (final String name : result.skipped())
        {
            md.append("- `").append(name).append("`: skipped, no throughput mode (one message at a time)\n");
        }
        md.append('\n').append(Report.hostLine(result.loadAverage())).append("\n\n");
        md.append(table(result));
        return md.toString();
    }

    private static String table(final ThroughputResult result)
    {
        final int reference = result.indexOf(REFERENCE);
        final StringBuilder md = new StringBuilder();
        md.append("| transport | msgs/s (median) | min | max | MB/s (median) |");
        md.append(reference >= 0 ? " vs " + REFERENCE + " |" : "");
        md.append("\n|---|---:|---:|---:|---:|").append(reference >= 0 ? "---:|" : "").append('\n');
        for (int t = 0; t < result.transports().size(); t++)
        {
            final PingPongResult.RatioSummary rate = result.messagesPerSecond(t);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.1f |", result.transports().get(t),
                rate.median(), rate.min(), rate.max(), megabytes(result, rate.median())));
            if (reference >= 0)
            {
                md.append(' ').append(Report.format(result.ratio(t, reference))).append(" |");
            }
            md.append('\n');
        }
        md.append("\nOver rounds: median, min and max; MB = 10^6 bytes.");
        if (reference >= 0)
        {
            md.append(" The ratio (messages per second over ").append(REFERENCE)
                .append("'s) is taken within each round, then summarised: median [min..max].");
        }
        md.append('\n');
        return md.toString();
    }

    /**
     * Writes {@value Report#MARKDOWN_FILE} and {@value Report#TEXT_FILE} into the results folder.
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
        return List.of(
            Files.writeString(directory.resolve(Report.MARKDOWN_FILE), markdown(result), StandardCharsets.UTF_8),
            Files.writeString(directory.resolve(Report.TEXT_FILE), printed, StandardCharsets.UTF_8));
    }

    private static double megabytes(final ThroughputResult result, final double messagesPerSecond)
    {
        return messagesPerSecond * result.options().messageLength() / BYTES_PER_MB;
    }

    private static String title(final ThroughputResult result)
    {
        final PingPongOptions options = result.options();
        return String.format(Locale.ROOT, "One-way throughput between two JVMs: %d-byte messages, %d interleaved " +
            "rounds x one burst of %,d messages per transport, after %,d warm-up messages each; a burst is timed " +
            "from its first send to the sink's acknowledgement of its last message.", options.messageLength(),
            options.rounds(), options.count(), options.warmup());
    }
}
