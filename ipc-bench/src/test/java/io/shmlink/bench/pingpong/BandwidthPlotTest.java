package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The bandwidth plot from made-up throughput CSVs: no child JVM.
 */
class BandwidthPlotTest
{
    @Test
    void readsEachContendersMedianBySize(@TempDir final Path directory) throws Exception
    {
        final List<Path> files = List.of(csv(directory, 4096, 3000), csv(directory, 65536, 5000));

        final Map<String, Map<Integer, Double>> points = BandwidthPlot.read(files);

        assertEquals(List.of("floor offer/in-place", "agrona offer/copy-out", "memcpy-dram"),
            List.copyOf(points.keySet()));
        assertEquals(Map.of(4096, 3000.0, 65536, 5000.0), points.get("floor offer/in-place"));
    }

    @Test
    void drawsOnePanelPerSendAndSinkMode(@TempDir final Path directory) throws Exception
    {
        final Map<String, Map<Integer, Double>> points =
            BandwidthPlot.read(List.of(csv(directory, 4096, 3000), csv(directory, 65536, 5000)));

        final Path file = BandwidthPlot.write(points, "title", null, directory.resolve("plot.png"));

        final BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO decodes it");
        assertEquals(PercentilePlot.WIDTH, image.getWidth());
        // two modes (offer/in-place, offer/copy-out); memcpy has none and is drawn in both
        assertEquals(PercentilePlot.HEIGHT / 2 + 2 * BandwidthPlot.PANEL_HEIGHT, image.getHeight());
    }

    @Test
    void refusesAFileThatIsNotAThroughputCsv(@TempDir final Path directory) throws Exception
    {
        final Path file = Files.writeString(directory.resolve("other.csv"), "a,b\n1,2\n");

        assertThrows(IllegalArgumentException.class, () -> BandwidthPlot.read(List.of(file)));
    }

    private static Path csv(final Path directory, final int size, final double floorRate) throws Exception
    {
        return Files.writeString(directory.resolve("throughput-" + size + ".csv"), Report.CSV_HEADER + "\n" +
            size + ",floor offer/in-place," + floorRate + "," + floorRate + "," + floorRate + "\n" +
            size + ",agrona offer/copy-out,2500,2400,2600\n" +
            size + ",memcpy-dram,11000,10000,12000\n");
    }
}
