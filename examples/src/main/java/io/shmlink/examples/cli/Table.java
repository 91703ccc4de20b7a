package io.shmlink.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table with left-aligned columns sized to their content. Cells hold no spaces, so that
 * {@code awk '{print $1}'} and friends can read the output.
 */
final class Table
{
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(final String... header)
    {
        columns = header.length;
        rows.add(header.clone());
    }

    void add(final Object... cells)
    {
        if (cells.length != columns)
        {
            throw new IllegalArgumentException("expected " + columns + " cells: " + Arrays.toString(cells));
        }
        rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
    }

    void print(final PrintWriter out)
    {
        print(out, "");
    }

    /**
     * Prints the table with each line after {@code indent}, to nest it under a label.
     */
    void print(final PrintWriter out, final String indent)
    {
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder line = new StringBuilder();
        for (final String[] row : rows)
        {
            line.setLength(0);
            line.append(indent);
            for (int i = 0; i < columns; i++)
            {
                line.append(row[i]);
                if (i < columns - 1)
                {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }
}
