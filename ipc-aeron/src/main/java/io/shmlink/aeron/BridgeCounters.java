package io.shmlink.aeron;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bridge's counters as other processes see them: each bridge keeps them in its media driver's counters file
 * ({@code cnc.dat}), one Aeron counter per metric with a type id of {@link #MESSAGES} to {@link #LOST_ON_CLOSE} and
 * the label {@code "shmlink-bridge " + description + ": " + metric}. {@code shmlink stat} reads them here. Static
 * methods only; each call maps and unmaps the file.
 */
public final class BridgeCounters
{
    /** Type id of the count of messages forwarded. */
    public static final int MESSAGES = 1_953_001;
    /** Type id of the payload bytes forwarded. */
    public static final int BYTES = 1_953_002;
    /** Type id of the messages held back at least once. */
    public static final int BACK_PRESSURE = 1_953_003;
    /** Type id of the messages skipped for their length. */
    public static final int OVERSIZE = 1_953_004;
    /** Type id of the times the Aeron link came up. */
    public static final int LINK_UPS = 1_953_005;
    /** Type id of the times the Aeron link went down. */
    public static final int LINK_DOWNS = 1_953_006;
    /** Type id of the evictions from a fan-out channel. */
    public static final int EVICTIONS = 1_953_007;
    /** Type id of the messages given up at close. */
    public static final int LOST_ON_CLOSE = 1_953_008;

    static final String LABEL_PREFIX = "shmlink-bridge ";
    static final String[] METRICS =
        {"messages", "bytes", "back-pressure", "oversize", "link-ups", "link-downs", "evictions", "lost-on-close"};

    private BridgeCounters()
    {
    }

    /**
     * One bridge's counters.
     *
     * @param description e.g. {@code out orders -> aeron:udp?endpoint=host-b:40123 stream 1001}.
     * @param values      by metric, in the order of the type ids: messages, bytes, back-pressure, oversize,
     *                    link-ups, link-downs, evictions, lost-on-close.
     */
    public record Bridge(String description, long[] values)
    {
        /**
         * @param typeId one of the type ids above.
         * @return that counter's value.
         */
        public long value(final int typeId)
        {
            return values[typeId - MESSAGES];
        }

        /**
         * @return the local channel's name, the word after the direction.
         */
        public String channel()
        {
            final String[] words = description.split(" ", 3);
            return words.length > 1 ? words[1] : "";
        }

        /**
         * @return the description, then every metric: {@code out orders -> URI stream 1001: messages 5, bytes 80, ...}.
         */
        public String summary()
        {
            final StringBuilder text = new StringBuilder(description).append(':');
            for (int i = 0; i < METRICS.length; i++)
            {
                text.append(i == 0 ? " " : ", ").append(METRICS[i]).append(' ').append(values[i]);
            }
            return text.toString();
        }

        @Override
        public String toString()
        {
            return "bridge " + summary();
        }
    }

    static String label(final String description, final int typeId)
    {
        return LABEL_PREFIX + description + ": " + METRICS[typeId - MESSAGES];
    }

    /**
     * The bridges of the embedded media drivers in a registry directory ({@code .aeron-<pid>-<n>}).
     *
     * @param registryDirectory the registry's directory.
     * @return the bridges found, by directory name; a driver that is going away meanwhile is left out.
     * @throws IOException if the directory cannot be listed.
     */
    public static List<Bridge> readEmbedded(final Path registryDirectory) throws IOException
    {
        final List<Path> drivers = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(registryDirectory, ".aeron-*"))
        {
            stream.forEach(drivers::add);
        }
        drivers.sort(null);
        final List<Bridge> bridges = new ArrayList<>();
        for (final Path driver : drivers)
        {
            try
            {
                bridges.addAll(read(driver));
            }
            catch (final IOException | RuntimeException goneOrNotADriver)
            {
                // closing as we read, or not a driver's directory: nothing to show
            }
        }
        return bridges;
    }

    /**
     * The bridges whose counters are in a media driver's directory.
     *
     * @param aeronDirectory the driver's directory, holding {@code cnc.dat}.
     * @return the bridges, in the order their counters were allocated.
     * @throws IOException if {@code cnc.dat} cannot be read.
     */
    public static List<Bridge> read(final Path aeronDirectory) throws IOException
    {
        final Path cnc = aeronDirectory.resolve(CncFileDescriptor.CNC_FILE);
        if (!Files.isRegularFile(cnc, LinkOption.NOFOLLOW_LINKS))
        {
            return List.of();
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(cnc, StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            CncFileDescriptor.checkVersion(metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0)));
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, metaData),
                CncFileDescriptor.createCountersValuesBuffer(mapped, metaData));
            final Map<String, long[]> byBridge = new LinkedHashMap<>();
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId >= MESSAGES && typeId <= LOST_ON_CLOSE && label.startsWith(LABEL_PREFIX))
                {
                    final int colon = label.lastIndexOf(": ");
                    if (colon > LABEL_PREFIX.length())
                    {
                        byBridge.computeIfAbsent(label.substring(LABEL_PREFIX.length(), colon),
                            description -> new long[METRICS.length])[typeId - MESSAGES] =
                            counters.getCounterValue(counterId);
                    }
                }
            });
            final List<Bridge> bridges = new ArrayList<>();
            byBridge.forEach((description, values) -> bridges.add(new Bridge(description, values)));
            return bridges;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
