package io.shmlink.examples.cli;

import io.shmlink.api.ChannelConfig;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints byte sizes: {@code 65536}, {@code 64k}, {@code 1m}, {@code 1g}, case-insensitive, in binary
 * multiples (k = 1024), the same notation {@code list} and {@code create} print back. Every size the tool takes is
 * a channel's, so none exceeds {@link ChannelConfig#MAX_CAPACITY} (1g).
 */
public final class SizeConverter extends ParsingConverter<Integer>
{
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})([kmg])?");

    /**
     * For picocli: a bad size is a usage error (exit code 2) that quotes the rule.
     */
    public SizeConverter()
    {
        super(SizeConverter::parse);
    }

    /**
     * Parses a size.
     *
     * @param value digits, optionally followed by {@code k}, {@code m} or {@code g} in either case.
     * @return the size in bytes.
     * @throws IllegalArgumentException if the value is malformed or larger than {@link ChannelConfig#MAX_CAPACITY}.
     */
    public static int parse(final String value)
    {
        final Matcher matcher = SIZE.matcher(value.toLowerCase(Locale.ROOT));
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("invalid size '" + value +
                "': expected a number of bytes, optionally followed by k, m or g (e.g. 65536, 64k, 1m)");
        }
        final long bytes;
        try
        {
            bytes = Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier(matcher.group(2)));
        }
        catch (final ArithmeticException | NumberFormatException tooLarge)
        {
            throw tooLarge(value);
        }
        if (bytes > ChannelConfig.MAX_CAPACITY)
        {
            throw tooLarge(value);
        }
        return (int)bytes;
    }

    /**
     * Prints a size in the notation {@link #parse} reads, with the largest unit that divides it exactly, so what
     * the tool prints can be typed back.
     *
     * @param bytes a size, at least 0.
     * @return e.g. {@code 64k} for 65536, {@code 1000} for 1000.
     */
    public static String format(final long bytes)
    {
        if (bytes > 0)
        {
            for (final String unit : new String[] {"g", "m", "k"})
            {
                final long multiplier = multiplier(unit);
                if (bytes % multiplier == 0)
                {
                    return bytes / multiplier + unit;
                }
            }
        }
        return Long.toString(bytes);
    }

    private static long multiplier(final String unit)
    {
        if (unit == null)
        {
            return 1;
        }
        switch (unit)
        {
            case "k":
                return 1L << 10;
            case "m":
                return 1L << 20;
            case "g":
                return 1L << 30;
            default:
                throw new IllegalStateException("unit " + unit); // the pattern admits no other
        }
    }

    private static IllegalArgumentException tooLarge(final String value)
    {
        return new IllegalArgumentException("size '" + value + "' is too large: at most 1g (" +
            ChannelConfig.MAX_CAPACITY + " bytes), the largest channel capacity");
    }
}
