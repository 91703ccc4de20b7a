package io.shmlink.examples.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations: a whole number with a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
 * (case-insensitive), e.g. {@code 10s}, {@code 0s}, {@code 5m}; or ISO-8601 such as {@code PT1M30S}. A bare
 * number is refused rather than guessed at, since seconds and milliseconds are both plausible readings.
 */
public final class DurationConverter extends ParsingConverter<Duration>
{
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,18})(ms|s|m|h|d)");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
        "ms", ChronoUnit.MILLIS, "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES, "h", ChronoUnit.HOURS,
        "d", ChronoUnit.DAYS);

    /**
     * For picocli: a bad duration is a usage error (exit code 2) that quotes the rule.
     */
    public DurationConverter()
    {
        super(DurationConverter::parse);
    }

    /**
     * Parses a duration.
     *
     * @param value e.g. {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601.
     * @return the duration, never negative.
     * @throws IllegalArgumentException if the value is malformed, negative or too large.
     */
    public static Duration parse(final String value)
    {
        final String lower = value.toLowerCase(Locale.ROOT);
        final Duration duration;
        try
        {
            if (lower.startsWith("p") || lower.startsWith("-p"))
            {
                duration = Duration.parse(value);
            }
            else
            {
                final Matcher matcher = DURATION.matcher(lower);
                if (!matcher.matches())
                {
                    throw invalid(value);
                }
                duration = Duration.of(Long.parseLong(matcher.group(1)), UNITS.get(matcher.group(2)));
            }
            // Callers convert to milliseconds; refusing what would overflow there beats a silent wrap.
            duration.toMillis();
        }
        catch (final DateTimeParseException ex)
        {
            throw invalid(value);
        }
        catch (final ArithmeticException ex)
        {
            throw new IllegalArgumentException("duration '" + value + "' is too large");
        }
        if (duration.isNegative())
        {
            throw new IllegalArgumentException("duration '" + value + "' is negative");
        }
        return duration;
    }

    /**
     * Prints a duration with the largest unit that divides it exactly, in the notation {@link #parse} reads.
     *
     * @param duration a non-negative duration.
     * @return e.g. {@code 10s}, {@code 5m}, {@code 1500ms}.
     */
    public static String format(final Duration duration)
    {
        final long millis = duration.toMillis();
        if (millis == 0)
        {
            return "0s";
        }
        if (millis % 86_400_000L == 0)
        {
            return millis / 86_400_000L + "d";
        }
        if (millis % 3_600_000L == 0)
        {
            return millis / 3_600_000L + "h";
        }
        if (millis % 60_000L == 0)
        {
            return millis / 60_000L + "m";
        }
        if (millis % 1_000L == 0)
        {
            return millis / 1_000L + "s";
        }
        return millis + "ms";
    }

    private static IllegalArgumentException invalid(final String value)
    {
        return new IllegalArgumentException("invalid duration '" + value +
            "': expected a whole number with a unit ms, s, m, h or d (e.g. 10s, 0s, 5m) or ISO-8601 (e.g. PT10S)");
    }
}
