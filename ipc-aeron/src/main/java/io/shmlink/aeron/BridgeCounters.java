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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bridge's counters as other processes see them: each bridge keeps them in its media driver's counters file
 * ({@code cnc.dat}), one Aeron counter per metric. {@code shmlink stat} reads them here. Each counter has
 * <ul>
 *   <li>the metric's type id, {@link #MESSAGES} to {@link #LOST_ON_CLOSE};</li>
 *   <li>a key that names the bridge: the int {@code 0x534C4252} ("SLBR"), then at offset 8 the bridge's Aeron
 *       client id as a long, unique in its driver (several bridges may share an external driver);</li>
 *   <li>the label {@code "shmlink-bridge " + description + ": " + metric}, for people and for Aeron's own tools. The
 *       description's Aeron URI is shortened in its middle ({@code "..."}) so that every label fits Aeron's
 *       limit ({@code CountersReader.MAX_LABEL_LENGTH}, 380 characters), which Aeron's client enforces by refusing
 *       the counter, and other writers by cutting the label's end.</li>
 * </ul>
 * The reader takes the metric from the type id and the bridge from the key; the label gives only the description,
 * so a long URI, or two bridges whose descriptions read the same, cannot mix up counters. Static methods only; each
 * call maps and unmaps the file.
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

    /** The first int of a bridge counter's key: "SLBR" in ASCII. */
    static final int KEY_MAGIC = 0x534C_4252;
    private static final int KEY_BRIDGE_ID_OFFSET = 8;
    static final int KEY_LENGTH = KEY_BRIDGE_ID_OFFSET + Long.BYTES;

    private static final String ELISION = "...";
    /** The longest description whose labels, even the longest metric's, fit Aeron's limit. */
    static final int MAX_DESCRIPTION_LENGTH = CountersReader.MAX_LABEL_LENGTH - LABEL_PREFIX.length() - ": ".length() -
        Arrays.stream(METRICS).mapToInt(String::length).max().orElseThrow();

    private BridgeCounters()
    {
    }

    /**
     * One bridge's counters.
     *
     * @param description e.g. {@code out orders -> aeron:udp?endpoint=host-b:40123 stream 1001}; a URI longer than
     *                    a label allows is shortened in its middle, {@code "..."}.
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
         * @return the local channel's name, the word after the direction (channel names have no spaces and are
         *         never shortened).
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
     * A bridge's description as its counters' labels carry it: {@code out CHANNEL -> URI stream N} or
     * {@code in CHANNEL <- URI stream N}, the URI shortened in its middle if the labels would not fit otherwise. The
     * same inputs always give the same description.
     */
    static String description(
        final AeronBridge.Direction direction, final String channel, final String aeronChannel, final int streamId)
    {
        final String head = direction == AeronBridge.Direction.OUTBOUND ? "out " + channel + " -> " :
            "in " + channel + " <- ";
        final String tail = " stream " + streamId;
        final int room = MAX_DESCRIPTION_LENGTH - head.length() - tail.length();
        if (aeronChannel.length() <= room)
        {
            return head + aeronChannel + tail;
        }
        // a channel name is at most 64 characters: room is well over 200
        final int keep = room - ELISION.length();
        final int front = keep - keep / 2;
        return head + aeronChannel.substring(0, front) + ELISION +
            aeronChannel.substring(aeronChannel.length() - keep / 2) + tail;
    }

    /**
     * The key of every counter of one bridge.
     *
     * @param bridgeId the bridge's Aeron client id.
     */
    static UnsafeBuffer key(final long bridgeId)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        key.putInt(0, KEY_MAGIC);
        key.putLong(KEY_BRIDGE_ID_OFFSET, bridgeId);
        return key;
    }

    /** The description in a label, without the metric after it. */
    private static String descriptionIn(final String label, final int typeId)
    {
        final String metric = ": " + METRICS[typeId - MESSAGES];
        final int end = label.endsWith(metric) ? label.length() - metric.length() : label.length();
        return label.substring(LABEL_PREFIX.length(), end);
    }

    /** One bridge's counters as they are found. */
    private static final class Found
    {
        private String description;
        private final long[] values = new long[METRICS.length];
    }

    /**
     * The bridges of the embedded media drivers in a registry directory ({@code .aeron-*}).
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
            final Map<Long, Found> byBridge = new LinkedHashMap<>();
            counters.forEach((counterId, typeId, key, label) ->
            {
                if (typeId >= MESSAGES && typeId <= LOST_ON_CLOSE && key.getInt(0) == KEY_MAGIC &&
                    label.startsWith(LABEL_PREFIX))
                {
                    final Found found = byBridge.computeIfAbsent(key.getLong(KEY_BRIDGE_ID_OFFSET), id -> new Found());
                    found.values[typeId - MESSAGES] = counters.getCounterValue(counterId);
                    if (found.description == null)
                    {
                        found.description = descriptionIn(label, typeId);
                    }
                }
            });
            final List<Bridge> bridges = new ArrayList<>();
            byBridge.values().forEach(found -> bridges.add(new Bridge(found.description, found.values)));
            return bridges;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
