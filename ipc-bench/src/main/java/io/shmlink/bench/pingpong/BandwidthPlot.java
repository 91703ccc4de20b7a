package io.shmlink.bench.pingpong;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.general.DatasetUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bandwidth by message size: median MB/s of each contender against the message length, both axes on a log scale,
 * from the {@value Report#CSV_FILE} files of several throughput runs (one per size), drawn as
 * {@link PercentilePlot} draws latencies (JFreeChart, headless).
 * <p>
 * {@code java -cp benchmarks.jar io.shmlink.bench.pingpong.BandwidthPlot <out.png> <throughput.csv>...}
 */
public final class BandwidthPlot
{
    /** Pixels per panel. */
    static final int PANEL_HEIGHT = 330;

    /** Transports' lines. */
    private static final BasicStroke SOLID = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);

    /** References' lines: memcpy, which has no send or sink mode. */
    private static final BasicStroke DASHED =
        new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f);

    static
    {
        if (System.getProperty("java.awt.headless") == null)
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private BandwidthPlot()
    {
    }

    /**
     * Writes the plot.
     *
     * @param args the PNG to write, then the CSV files to read.
     * @throws IOException if reading or writing fails.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 2)
        {
            System.err.println("usage: BandwidthPlot <out.png> <throughput.csv>...");
            System.exit(2);
        }
        final List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++)
        {
            files.add(Path.of(args[i]));
        }
        write(read(files), "One-way bandwidth between two JVMs by message size",
            "median MB/s over interleaved rounds; the sink reads every byte", Path.of(args[0]));
    }

    /**
     * Reads {@value Report#CSV_FILE} files.
     *
     * @param files the files.
     * @return per contender, in order of first appearance, its points: message length to median MB/s.
     * @throws IOException              if reading fails.
     * @throws IllegalArgumentException if a file is not such a CSV.
     */
    static Map<String, Map<Integer, Double>> read(final List<Path> files) throws IOException
    {
        final Map<String, Map<Integer, Double>> points = new LinkedHashMap<>();
        for (final Path file : files)
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(Report.CSV_HEADER))
            {
                throw new IllegalArgumentException(file + " does not start with " + Report.CSV_HEADER);
            }
            for (final String line : lines.subList(1, lines.size()))
            {
                final String[] fields = line.split(",");
                if (fields.length != 5)
                {
                    throw new IllegalArgumentException(file + ": not 5 fields: " + line);
                }
                points.computeIfAbsent(fields[1], name -> new LinkedHashMap<>())
                    .put(Integer.parseInt(fields[0]), Double.parseDouble(fields[2]));
            }
        }
        return points;
    }

    /**
     * Writes the chart as a PNG: one panel per send and sink mode ({@code offer/in-place}, ...), sharing the size
     * axis, each transport in the same colour in every panel, and the references that have no mode (memcpy) drawn
     * grey and dashed in every panel, so that no two lines of a panel share a colour.
     *
     * @param points   per contender ("transport mode", or a reference's bare name), message length to MB/s.
     * @param title    the chart's title.
     * @param subtitle a line under it, or null.
     * @param file     where to write; overwritten.
     * @return {@code file}.
     * @throws IOException if writing fails.
     */
    static Path write(final Map<String, Map<Integer, Double>> points, final String title, final String subtitle,
        final Path file) throws IOException
    {
        final Map<String, Map<String, Map<Integer, Double>>> byMode = new LinkedHashMap<>();
        final Map<String, Map<Integer, Double>> references = new LinkedHashMap<>();
        final List<String> transports = new ArrayList<>();
        points.forEach((contender, rates) ->
        {
            final int space = contender.indexOf(' ');
            if (space < 0)
            {
                references.put(contender, rates);
                return;
            }
            final String transport = contender.substring(0, space);
            if (!transports.contains(transport))
            {
                transports.add(transport);
            }
            byMode.computeIfAbsent(contender.substring(space + 1), mode -> new LinkedHashMap<>()).put(transport, rates);
        });
        if (byMode.isEmpty())
        {
            byMode.put("", new LinkedHashMap<>());
        }

        final LogAxis size = new LogAxis("message size");
        size.setBase(2);
        size.setTickUnit(new NumberTickUnit(2), false, false);
        size.setAutoTickUnitSelection(false);
        size.setNumberFormatOverride(new BytesFormat());
        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(size);
        plot.setGap(12);
        byMode.forEach((mode, rates) -> plot.add(panel(mode, rates, references, transports)));
        plot.setFixedLegendItems(legend(transports, references));

        final JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null)
        {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, PercentilePlot.WIDTH,
            PercentilePlot.HEIGHT / 2 + PANEL_HEIGHT * byMode.size());
        return file;
    }

    private static XYPlot panel(final String mode, final Map<String, Map<Integer, Double>> rates,
        final Map<String, Map<Integer, Double>> references, final List<String> transports)
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        rates.forEach((transport, points) ->
        {
            renderer.setSeriesPaint(dataset.getSeriesCount(), colour(transports.indexOf(transport)));
            renderer.setSeriesStroke(dataset.getSeriesCount(), SOLID);
            dataset.addSeries(series(transport + " " + mode, points));
        });
        int reference = 0;
        for (final Map.Entry<String, Map<Integer, Double>> entry : references.entrySet())
        {
            renderer.setSeriesPaint(dataset.getSeriesCount(), referenceColour(reference++));
            renderer.setSeriesStroke(dataset.getSeriesCount(), DASHED);
            dataset.addSeries(series(entry.getKey(), entry.getValue()));
        }
        final LogAxis bandwidth = new LogAxis(mode.isEmpty() ? "MB/s" : mode + ", MB/s");
        bandwidth.setTickUnit(new NumberTickUnit(1), false, false);
        bandwidth.setAutoTickUnitSelection(false);
        bandwidth.setNumberFormatOverride(NumberFormat.getIntegerInstance(Locale.ROOT));
        if (dataset.getSeriesCount() > 0)
        {
            // whole decades, so that each panel labels at least two gridlines
            final double low = DatasetUtils.findMinimumRangeValue(dataset).doubleValue();
            final double high = DatasetUtils.findMaximumRangeValue(dataset).doubleValue();
            bandwidth.setRange(Math.pow(10, Math.floor(Math.log10(low))), Math.pow(10, Math.ceil(Math.log10(high))));
        }
        final XYPlot panel = new XYPlot(dataset, null, bandwidth, renderer);
        panel.setBackgroundPaint(Color.WHITE);
        panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
        panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return panel;
    }

    private static LegendItemCollection legend(
        final List<String> transports, final Map<String, Map<Integer, Double>> references)
    {
        final LegendItemCollection items = new LegendItemCollection();
        for (int t = 0; t < transports.size(); t++)
        {
            items.add(legendItem(transports.get(t), colour(t), SOLID));
        }
        int reference = 0;
        for (final String name : references.keySet())
        {
            items.add(legendItem(name, referenceColour(reference++), DASHED));
        }
        return items;
    }

    private static LegendItem legendItem(final String label, final Color colour, final BasicStroke stroke)
    {
        final LegendItem item = new LegendItem(label, null, null, null, new Line2D.Double(-8, 0, 8, 0), stroke,
            colour);
        item.setShapeVisible(false);
        item.setLineVisible(true);
        return item;
    }

    private static XYSeries series(final String key, final Map<Integer, Double> points)
    {
        final XYSeries series = new XYSeries(key, true, true);
        points.forEach((length, rate) -> series.add((double)length, Math.max(1.0, rate)));
        return series;
    }

    /** Transports take the palette in turn; past its end they repeat, which ten transports do not reach. */
    private static Color colour(final int transport)
    {
        return PercentilePlot.COLOURS[transport % PercentilePlot.COLOURS.length];
    }

    private static Color referenceColour(final int reference)
    {
        return reference % 2 == 0 ? Color.DARK_GRAY : new Color(0xa0a0a0);
    }

    /**
     * Labels the size axis in binary units: {@code 4 KiB}, {@code 1 MiB}.
     */
    static final class BytesFormat extends AxisLabelFormat
    {
        @Override
        public StringBuffer format(final double bytes, final StringBuffer to, final FieldPosition position)
        {
            if (bytes >= 1 << 20)
            {
                return to.append(number(bytes / (1 << 20))).append(" MiB");
            }
            if (bytes >= 1 << 10)
            {
                return to.append(number(bytes / (1 << 10))).append(" KiB");
            }
            return to.append(number(bytes)).append(" B");
        }
    }
}
