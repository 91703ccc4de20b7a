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
 */
public record PingPongOptions(
    List<String> transports, int rounds, int count, int warmup, int messageLength, Path hgrmDirectory)
{
    /**
     * The default: a few seconds all told, most of it JVM start-up. Enough for stable medians on a quiet machine;
     * use {@link #FULL} (or more rounds) for tails.
     */
    public static final PingPongOptions QUICK = new PingPongOptions(Transports.builtIn(), 20, 50_000, 100_000, 32, null);

    /** Longer: 100 rounds of 200,000, so rounds span more of the host's scheduling moods. */
    public static final PingPongOptions FULL =
        new PingPongOptions(Transports.builtIn(), 100, 200_000, 200_000, 32, null);

    /** Command-line help. */
    public static final String USAGE = String.join(System.lineSeparator(),
        "usage: java -jar ipc-bench/target/benchmarks.jar [options]",
        "  Cross-process ping-pong: round-trip time between this JVM and an echo child JVM, per transport.",
        "  --transports a,b,c  transports in round order (default " + String.join(",", Transports.builtIn()) + ");",
        "                      a class name of an io.shmlink.bench.pingpong.Transport also works",
        "  --rounds N          interleaved rounds (quick: 20, full: 100)",
        "  --count N           measured round trips per transport per round (quick: 50000, full: 200000)",
        "  --warmup N          unmeasured round trips per transport first (quick: 100000, full: 200000)",
        "  --size BYTES        message length, " + LinkSpec.MIN_MESSAGE_LENGTH + " to " + LinkSpec.MAX_MESSAGE_LENGTH +
            " (default 32; floor always sends 8)",
        "  --quick             the short preset (the default)",
        "  --full              the long preset",
        "  --hgrm DIR          also write DIR/<transport>.hgrm (HdrHistogram percentile distribution, values in ns)",
        "  --help              this text",
        "  Explicit values override the preset, in any order.");

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
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--quick" -> preset = QUICK;
                case "--full" -> preset = FULL;
                case "--transports" -> transports = List.of(value(args, ++i, option).split(","));
                case "--rounds" -> rounds = intValue(args, ++i, option);
                case "--count" -> count = intValue(args, ++i, option);
                case "--warmup" -> warmup = intValue(args, ++i, option);
                case "--size" -> size = intValue(args, ++i, option);
                case "--hgrm" -> hgrm = Path.of(value(args, ++i, option));
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new PingPongOptions(
            transports != null ? transports : preset.transports,
            rounds != null ? rounds : preset.rounds,
            count != null ? count : preset.count,
            warmup != null ? warmup : preset.warmup,
            size != null ? size : preset.messageLength,
            hgrm);
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
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
            throw new IllegalArgumentException(option + " needs a whole number: " + args[index]);
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
