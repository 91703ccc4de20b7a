package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The percentile distribution of every transport of a run on one chart, drawn as HdrHistogram's plotter draws an
 * {@code .hgrm} file: the x axis is {@code 1 / (1 - percentile)} on a log scale, so that 90%, 99%, 99.9%... are
 * evenly spaced and the tail gets as much room as the median; the y axis, latency, is on a log scale too, because the
 * transports span three orders of magnitude (the floor's 0.1 us to a socket's 50 us) and their tails as many more.
 * One PNG next to the {@code .hgrm} files says at a glance what the tables say in numbers.
 * <p>
 * Rendered with JFreeChart in headless mode: no display is needed, and none is touched.
 */
public final class PercentilePlot
{
    /** The plot's name in the results folder. */
    public static final String FILE = "latency-percentiles.png";

    /** Pixels. */
    static final int WIDTH = 1200;

    /** Pixels. */
    static final int HEIGHT = 700;

    /** Points per halving of the distance to 100%, as HdrHistogram's {@code .hgrm} output uses. */
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    static final Color[] COLOURS = {
        new Color(0x000000), new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0x17becf)};

    static
    {
        // Before the first AWT class initialises: the benchmark runs on servers without a display.
        if (System.getProperty("java.awt.headless") == null)
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private PercentilePlot()
    {
    }

    /**
     * Writes the chart as a PNG.
     *
     * @param title      the chart's title.
     * @param subtitle   a line under it (what was run), or null.
     * @param names      one series per name, in this order.
     * @param histograms each name's latencies in ns, by index.
     * @param file       where to write; overwritten.
     * @return {@code file}.
     * @throws IOException if writing fails.
     */
    public static Path write(final String title, final String subtitle, final List<String> names,
        final IntFunction<Histogram> histograms, final Path file) throws IOException
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        double highest = 10;
        for (int t = 0; t < names.size(); t++)
        {
            final XYSeries series = series(names.get(t), histograms.apply(t));
            dataset.addSeries(series);
            if (series.getItemCount() > 0)
            {
                highest = Math.max(highest, series.getMaxX());
            }
        }

        final LogAxis percentile = new LogAxis("percentile");
        percentile.setNumberFormatOverride(new PercentileFormat());
        percentile.setTickUnit(new NumberTickUnit(1), false, false);
        percentile.setAutoTickUnitSelection(false);
        percentile.setLowerBound(1);
        // Just past the last point: the x of the last finite percentile is a little over a decade (99.9999% is 10^6)
        // when the count is a little over a power of ten, and a whole empty decade would squeeze the curves.
        percentile.setUpperBound(highest * 1.1);

        final LogAxis latency = new LogAxis("round-trip time");
        latency.setNumberFormatOverride(new NanosFormat());
        latency.setTickUnit(new NumberTickUnit(1), false, false);
        latency.setAutoTickUnitSelection(false);

        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int s = 0; s < names.size(); s++)
        {
            renderer.setSeriesPaint(s, COLOURS[s % COLOURS.length]);
            renderer.setSeriesStroke(s, new BasicStroke(2f));
        }
        final XYPlot plot = new XYPlot(dataset, percentile, latency, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);

        final JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        // Room on the right for the last percentile label, centred on the axis's end.
        chart.setPadding(new RectangleInsets(8, 8, 8, 32));
        if (subtitle != null)
        {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }

    /**
     * The points HdrHistogram's percentile output lists, at {@code x = 1 / (1 - p)}; the last, at 100%, has no place
     * on that axis and is left out (the tables give the max).
     */
    private static XYSeries series(final String name, final Histogram histogram)
    {
        final XYSeries series = new XYSeries(name, false, true);
        if (histogram.getTotalCount() == 0)
        {
            return series;
        }
        for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double fraction = value.getPercentileLevelIteratedTo() / 100.0;
            if (fraction < 1.0)
            {
                series.add(1.0 / (1.0 - fraction), Math.max(1, value.getValueIteratedTo()));
            }
        }
        return series;
    }

    /**
     * Labels the x axis: {@code 1 / (1 - p)} back to {@code p} in percent, {@code 1 -> 0%}, {@code 10 -> 90%},
     * {@code 1000 -> 99.9%}.
     */
    static final class PercentileFormat extends AxisLabelFormat
    {
        @Override
        public StringBuffer format(final double number, final StringBuffer to, final FieldPosition position)
        {
            final int decimals = Math.max(0, (int)Math.round(Math.log10(number)) - 2);
            return to.append(String.format(Locale.ROOT, "%." + decimals + "f%%", 100.0 - 100.0 / number));
        }
    }

    /**
     * Labels the y axis: nanoseconds in the unit that keeps the number small, {@code 100 ns}, {@code 10 us},
     * {@code 1 ms}.
     */
    static final class NanosFormat extends AxisLabelFormat
    {
        @Override
        public StringBuffer format(final double nanos, final StringBuffer to, final FieldPosition position)
        {
            if (nanos >= 1e9)
            {
                return to.append(number(nanos / 1e9)).append(" s");
            }
            if (nanos >= 1e6)
            {
                return to.append(number(nanos / 1e6)).append(" ms");
            }
            if (nanos >= 1e3)
            {
                return to.append(number(nanos / 1e3)).append(" us");
            }
            return to.append(number(nanos)).append(" ns");
        }
    }
}
