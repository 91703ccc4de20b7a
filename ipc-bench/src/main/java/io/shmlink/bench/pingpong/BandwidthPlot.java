package io.shmlink.bench.pingpong;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
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
 * from the {@value ThroughputReport#CSV_FILE} files of several throughput runs (one per size), drawn as
 * {@link PercentilePlot} draws latencies (JFreeChart, headless).
 * <p>
 * {@code java -cp benchmarks.jar io.shmlink.bench.pingpong.BandwidthPlot <out.png> <throughput.csv>...}
 */
public final class BandwidthPlot
{
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
     * Reads {@value ThroughputReport#CSV_FILE} files.
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
            if (lines.isEmpty() || !lines.get(0).equals(ThroughputReport.CSV_HEADER))
            {
                throw new IllegalArgumentException(file + " does not start with " + ThroughputReport.CSV_HEADER);
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
     * Writes the chart as a PNG.
     *
     * @param points   per contender, message length to MB/s.
     * @param title    the chart's title.
     * @param subtitle a line under it, or null.
     * @param file     where to write; overwritten.
     * @return {@code file}.
     * @throws IOException if writing fails.
     */
    static Path write(final Map<String, Map<Integer, Double>> points, final String title, final String subtitle,
        final Path file) throws IOException
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        for (final Map.Entry<String, Map<Integer, Double>> contender : points.entrySet())
        {
            final XYSeries series = new XYSeries(contender.getKey(), true, true);
            contender.getValue().forEach((length, rate) -> series.add((double)length, Math.max(1.0, rate)));
            dataset.addSeries(series);
        }
        final LogAxis size = new LogAxis("message size");
        size.setBase(2);
        size.setTickUnit(new NumberTickUnit(2), false, false);
        size.setAutoTickUnitSelection(false);
        size.setNumberFormatOverride(new BytesFormat());
        final LogAxis bandwidth = new LogAxis("MB/s (10^6 bytes per second)");
        bandwidth.setTickUnit(new NumberTickUnit(1), false, false);
        bandwidth.setAutoTickUnitSelection(false);
        bandwidth.setNumberFormatOverride(NumberFormat.getIntegerInstance(Locale.ROOT));

        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int s = 0; s < dataset.getSeriesCount(); s++)
        {
            renderer.setSeriesPaint(s, PercentilePlot.COLOURS[s % PercentilePlot.COLOURS.length]);
            renderer.setSeriesStroke(s, new BasicStroke(s < PercentilePlot.COLOURS.length ? 2f : 2f,
                BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                s < PercentilePlot.COLOURS.length ? null : new float[] {6f, 4f}, 0f));
        }
        final XYPlot plot = new XYPlot(dataset, size, bandwidth, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        final JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null)
        {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, PercentilePlot.WIDTH, PercentilePlot.HEIGHT);
        return file;
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
