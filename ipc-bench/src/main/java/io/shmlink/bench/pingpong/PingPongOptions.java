package io.shmlink.bench.pingpong;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a ping-pong run does.
 *
 * @param transports    built-in names or class names of {@link Transport}s, in the order of each round.
 * @param rounds        interleaved rounds: each runs every transport once.
 * @param count         measured round trips per transport per round.
 * @param warmup        unmeasured round trips per transport before the first round.
 * @param messageLength bytes per message.
 * @param hgrmDirectory where to write one {@code <transport>.hgrm} percentile file each, or null for none.
 * @param rate          pings per second on a fixed schedule, or 0 for back-to-back round trips (the default).
 * @param throughput    one-way throughput instead of latency: {@code count} messages per burst.
 * @param outDirectory  the results folder, or null for {@code results/<timestamp>/} (chosen by the main class).
 * @param freshJvms     latency only: each (round, transport) measurement in a new pinger JVM and a new echo JVM
 *                      ({@link FreshJvmRun}), instead of every pinger in this JVM against one echo child.
 */
public record PingPongOptions(
    List<String> transports, int rounds, int count, int warmup, int messageLength, Path hgrmDirectory, int rate,
    boolean throughput, Path outDirectory, boolean freshJvms)
{
    /** The message length of a throughput run without {@code --size}. */
    public static final int THROUGHPUT_MESSAGE_LENGTH = 64 * 1024;

    /** Bytes per burst of a throughput run without {@code --count}, and of its warm-up without {@code --warmup}. */
    public static final long THROUGHPUT_BURST_BYTES = 256L << 20;

    /** The highest {@code --rate}: one ping per nanosecond, the resolution of the schedule. */
    public static final int MAX_RATE = 1_000_000_000;

    /**
     * The default: 10-20 seconds for the default transports on a two-core VM, most of it JVM start-up, and one to
     * two minutes more for the two sockets ({@code --transports all}), whose round trips are 100-300 times slower.
     * Enough for stable medians on a quiet machine; use {@link #FULL} (or more rounds) for tails.
     */
    public static final PingPongOptions QUICK =
        new PingPongOptions(Transports.defaults(), 20, 50_000, 100_000, 32, null);

    /** Longer: 100 rounds of 200,000, so rounds span more of the host's scheduling moods. */
    public static final PingPongOptions FULL =
        new PingPongOptions(Transports.defaults(), 100, 200_000, 200_000, 32, null);

    /** Command-line help. */
    public static final String USAGE = String.join(System.lineSeparator(),
        "usage: java -jar ipc-bench/target/benchmarks.jar [options]",
        "  Cross-process ping-pong: round-trip time between this JVM and an echo child JVM, per transport.",
        "  --transports a,b,c  transports in round order (default " + String.join(",", Transports.defaults()) + ");",
        "                      built in: " + String.join(",", Transports.builtIn()) + "; '" + Transports.ALL +
            "' runs every one;",
        "                      by name only: " + String.join(",", Transports.byNameOnly()) +
            ":",
        "                      shmlink-spsc-1g* are 1 GiB rings on 4 KiB or huge pages, the latter in",
        "                      -D" + PageSizeTransport.HUGE_DIRECTORY_PROPERTY + "=DIR, a tmpfs mounted huge=always;",
        "                      aeron-udp is Aeron over UDP on 127.0.0.1 between the two JVMs, each with its own",
        "                      busy-spinning media driver (-D" + AeronUdp.THREADING_PROPERTY + "=DEDICATED for",
        "                      three threads each); shmlink-aeron-bridge is ShmLink channels on each side carried",
        "                      both ways by AeronBridges over the same UDP set-up; each wants about 6+ idle cores;",
        "                      a class name of an io.shmlink.bench.pingpong.Transport also works",
        "  --rounds N          interleaved rounds (quick: 20, full: 100)",
        "  --count N           measured round trips per transport per round (quick: 50000, full: 200000)",
        "  --warmup N          unmeasured round trips per transport first (quick: 100000, full: 200000)",
        "  --size BYTES        message length, " + LinkSpec.MIN_MESSAGE_LENGTH + " to " + LinkSpec.MAX_MESSAGE_LENGTH +
            " (default 32, with --throughput 65536; floor always sends 8 in a latency run)",
        "  --quick             the short preset (the default)",
        "  --full              the long preset",
        "  --rate N            fixed rate: N pings per second per transport on a schedule (start + i/N), instead of",
        "                      back to back; latency runs from each ping's intended send time, which corrects",
        "                      coordinated omission, and the uncorrected latency (from the actual send) is shown too",
        "  --throughput        one-way bandwidth instead of latency: bursts of --count messages of --size (default",
        "                      65536 bytes, at least 56; count and warm-up default to 256 MiB worth), fresh data in",
        "                      every message, the sink reads every byte (in place and copied out), checked by a",
        "                      checksum; each transport by offer and, where it can, by claim; floor is the bare",
        "                      two-process ring, and memcpy through cache and DRAM runs in the same rounds; MB/s,",
        "                      ratios within rounds, page faults and CPU seconds per GiB",
        "  --out DIR           results folder: results.md, report.txt, <transport>.hgrm (default results/<timestamp>/",
        "                      under the working directory)",
        "  --hgrm DIR          also write DIR/<transport>.hgrm (HdrHistogram percentile distribution, values in ns)",
        "  --fresh-jvms        latency only: each transport in each round runs in a new pinger JVM against a new",
        "                      echo JVM, both ended after it (warm-up in each), so that no JIT profile, thread or",
        "                      heap of one transport's run touches another's; by default every pinger runs in this",
        "                      JVM against one echo child (seconds per measurement instead of a fraction)",
        "  --help              this text",
        "  Explicit values override the preset, in any order.");

    /**
     * Back-to-back latency, results in the default folder: the options the harness had before fixed-rate and
     * throughput modes.
     *
     * @param transports    built-in names or class names, in round order.
     * @param rounds        interleaved rounds.
     * @param count         measured round trips per transport per round.
     * @param warmup        unmeasured round trips per transport first.
     * @param messageLength bytes per message.
     * @param hgrmDirectory where to write {@code .hgrm} files as well, or null.
     */
    public PingPongOptions(
        final List<String> transports, final int rounds, final int count, final int warmup, final int messageLength,
        final Path hgrmDirectory)
    {
        this(transports, rounds, count, warmup, messageLength, hgrmDirectory, 0, false, null);
    }

    /**
     * Every pinger in this JVM against one echo child: the options the harness had before {@code --fresh-jvms}.
     *
     * @param transports    built-in names or class names, in round order.
     * @param rounds        interleaved rounds.
     * @param count         measured round trips (throughput: messages per burst) per transport per round.
     * @param warmup        unmeasured round trips (messages) per transport first.
     * @param messageLength bytes per message.
     * @param hgrmDirectory where to write {@code .hgrm} files as well, or null.
     * @param rate          pings per second on a fixed schedule, or 0 for back to back.
     * @param throughput    one-way throughput instead of latency.
     * @param outDirectory  the results folder, or null for the default.
     */
    public PingPongOptions(
        final List<String> transports, final int rounds, final int count, final int warmup, final int messageLength,
        final Path hgrmDirectory, final int rate, final boolean throughput, final Path outDirectory)
    {
        this(transports, rounds, count, warmup, messageLength, hgrmDirectory, rate, throughput, outDirectory, false);
    }

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the bad value.
     */
    public PingPongOptions
    {
        transports = List.copyOf(Objects.requireNonNull(transports, "transports"));
        if (transports.isEmpty())
        {
            throw new IllegalArgumentException("--transports: at least one transport");
        }
        requireAtLeast("--rounds", rounds, 1);
        requireAtLeast("--count", count, 1);
        requireAtLeast("--warmup", warmup, 0);
        if (messageLength < LinkSpec.MIN_MESSAGE_LENGTH || messageLength > LinkSpec.MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("--size must be in [" + LinkSpec.MIN_MESSAGE_LENGTH + ", " +
                LinkSpec.MAX_MESSAGE_LENGTH + "]: " + messageLength);
        }
        if (rate < 0 || rate > MAX_RATE)
        {
            throw new IllegalArgumentException("--rate must be in [1, " + MAX_RATE + "] pings per second: " + rate);
        }
        if (throughput && messageLength < Acknowledgement.LENGTH)
        {
            throw new IllegalArgumentException("--throughput needs --size of at least " + Acknowledgement.LENGTH +
                " bytes (the sink's acknowledgement has a message's length): " + messageLength);
        }
        if (rate > 0 && throughput)
        {
            throw new IllegalArgumentException("--rate and --throughput exclude each other: a fixed rate is a " +
                "latency measurement, throughput sends as fast as it can");
        }
        if (freshJvms && throughput)
        {
            throw new IllegalArgumentException("--fresh-jvms is for latency runs only: a throughput round also " +
                "runs the memcpy references and every send and sink mode of a transport, in one JVM");
        }
    }

    /**
     * @return whether pings go on a fixed schedule ({@code --rate}) rather than back to back.
     */
    public boolean fixedRate()
    {
        return rate > 0;
    }

    /**
     * Parses command-line options (not {@code --help}: the caller handles that).
     *
     * @param args the options.
     * @return the options.
     * @throws IllegalArgumentException on an unknown option or a bad value.
     */
    public static PingPongOptions parse(final String... args)
    {
        PingPongOptions preset = QUICK;
        List<String> transports = null;
        Integer rounds = null;
        Integer count = null;
        Integer warmup = null;
        Integer size = null;
        Path hgrm = null;
        int rate = 0;
        boolean throughput = false;
        Path out = null;
        boolean freshJvms = false;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--quick" -> preset = QUICK;
                case "--full" -> preset = FULL;
                case "--transports" -> transports = Transports.expand(List.of(value(args, ++i, option).split(",")));
                case "--rounds" -> rounds = intValue(args, ++i, option);
                case "--count" -> count = intValue(args, ++i, option);
                case "--warmup" -> warmup = intValue(args, ++i, option);
                case "--size" -> size = intValue(args, ++i, option);
                case "--hgrm" -> hgrm = Path.of(value(args, ++i, option));
                case "--rate" -> rate = rateValue(args, ++i);
                case "--throughput" -> throughput = true;
                case "--out" -> out = Path.of(value(args, ++i, option));
                case "--fresh-jvms" -> freshJvms = true;
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        // A throughput run's defaults: 64 KiB messages, and bursts of about 256 MiB for count and warm-up.
        final int length = size != null ? size : throughput ? THROUGHPUT_MESSAGE_LENGTH : preset.messageLength;
        final int burst = throughput ? throughputCount(length) : 0;
        return new PingPongOptions(
            transports != null ? transports : preset.transports,
            rounds != null ? rounds : preset.rounds,
            count != null ? count : throughput ? burst : preset.count,
            warmup != null ? warmup : throughput ? burst : preset.warmup,
            length, hgrm, rate, throughput, out, freshJvms);
    }

    /**
     * @param messageLength bytes per message.
     * @return messages per burst of a throughput run without {@code --count}: {@value #THROUGHPUT_BURST_BYTES}
     * bytes' worth, between 16 and 1,000,000 messages.
     */
    public static int throughputCount(final int messageLength)
    {
        return (int)Math.max(16, Math.min(1_000_000, THROUGHPUT_BURST_BYTES / messageLength));
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length || args[index].isBlank() || args[index].startsWith("--"))
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int rateValue(final String[] args, final int index)
    {
        final int rate = intValue(args, index, "--rate");
        // 0 would mean back to back: refuse it here rather than silently measure something else.
        if (rate < 1)
        {
            throw new IllegalArgumentException("--rate must be in [1, " + MAX_RATE + "] pings per second: " +
                args[index]);
        }
        return rate;
    }

    private static int intValue(final String[] args, final int index, final String option)
    {
        final String value = value(args, index, option).replace("_", "");
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs a whole number: " + args[index] + (
                option.equals("--rate") ? " (pings per second, e.g. 100000)" : ""));
        }
    }

    private static void requireAtLeast(final String option, final int value, final int min)
    {
        if (value < min)
        {
            throw new IllegalArgumentException(option + " must be >= " + min + ": " + value);
        }
    }
}
