package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plot and the results folder from made-up histograms: no child JVM, well under a second.
 */
class PercentilePlotTest
{
    @Test
    void writesAPngThatDecodesAtItsSize(@TempDir final Path directory) throws Exception
    {
        final List<Histogram> histograms = List.of(histogram(130, 90_000), histogram(45_000, 5_000_000),
            RoundTripLoop.newHistogram());

        final Path file = PercentilePlot.write("title", "subtitle", List.of("fast", "slow", "empty"),
            histograms::get, directory.resolve(PercentilePlot.FILE));

        assertTrue(Files.size(file) > 0);
        final BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO decodes it");
        assertEquals(PercentilePlot.WIDTH, image.getWidth());
        assertEquals(PercentilePlot.HEIGHT, image.getHeight());
    }

    @Test
    void theResultsFolderHoldsAnHgrmPerTransportAndThePlot(@TempDir final Path directory) throws Exception
    {
        final Histogram[][] rounds = {{histogram(130, 90_000), histogram(190, 200_000)}};
        final List<String> names = List.of("floor", "other");
        final BenchResult result = new BenchResult(new PingPongOptions(names, 1, 10_000, 0, 32, null),
            names, List.of("", ""), null, rounds, null, null, null, null, null, new long[2], new long[2],
            new BenchResult.Session(1, Path.of("none"), 0.0));

        final List<Path> files = Report.writeResults(result, "printed", directory);

        for (final String name : List.of("floor.hgrm", "other.hgrm", PercentilePlot.FILE, Report.MARKDOWN_FILE))
        {
            final Path file = directory.resolve(name);
            assertTrue(files.contains(file), name + " listed in " + files);
            assertTrue(Files.size(file) > 0, name + " is empty");
        }
        final BufferedImage image = ImageIO.read(directory.resolve(PercentilePlot.FILE).toFile());
        assertTrue(image.getWidth() > 0 && image.getHeight() > 0);
    }

    @Test
    void axisLabelsReadAsPercentilesAndDurations()
    {
        final PercentilePlot.PercentileFormat percentile = new PercentilePlot.PercentileFormat();
        assertEquals("0%", percentile.format(1.0));
        assertEquals("90%", percentile.format(10.0));
        assertEquals("99%", percentile.format(100.0));
        assertEquals("99.9%", percentile.format(1_000.0));
        assertEquals("99.999%", percentile.format(100_000.0));

        final PercentilePlot.NanosFormat nanos = new PercentilePlot.NanosFormat();
        assertEquals("100 ns", nanos.format(100.0));
        assertEquals("1 us", nanos.format(1_000.0));
        assertEquals("10 ms", nanos.format(10_000_000.0));
        assertEquals("2.50 us", nanos.format(2_500.0));
    }

    /**
     * 10,000 values: mostly at {@code typical}, with a tail of 1% reaching {@code worst}.
     */
    private static Histogram histogram(final long typical, final long worst)
    {
        final Histogram histogram = RoundTripLoop.newHistogram();
        for (int i = 0; i < 9_900; i++)
        {
            histogram.recordValue(typical + i % 50);
        }
        for (int i = 1; i <= 100; i++)
        {
            histogram.recordValue(typical + (worst - typical) * i / 100);
        }
        return histogram;
    }
}
