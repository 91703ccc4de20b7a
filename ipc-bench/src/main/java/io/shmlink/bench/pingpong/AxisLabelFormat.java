package io.shmlink.bench.pingpong;

import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;

/**
 * What the plots' axis labels share: a format that only labels (it parses nothing), formats longs as doubles, and
 * writes a whole number as such and anything else with three significant digits. Subclasses format doubles.
 */
abstract class AxisLabelFormat extends NumberFormat
{
    @Override
    public final StringBuffer format(final long number, final StringBuffer to, final FieldPosition position)
    {
        return format((double)number, to, position);
    }

    @Override
    public final Number parse(final String source, final ParsePosition position)
    {
        throw new UnsupportedOperationException("labels only");
    }

    /**
     * A number for a label: {@code 4}, {@code 1.50}, {@code 0.125}.
     *
     * @param value the number.
     * @return it, whole or with three significant digits.
     */
    static String number(final double value)
    {
        return value == Math.rint(value) ? Long.toString(Math.round(value)) :
            String.format(Locale.ROOT, "%.3g", value);
    }
}
