package io.shmlink.aeron;

import io.aeron.CncFileDescriptor;
import io.shmlink.shm.registry.ChannelNames;
import org.agrona.DirectBuffer;
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
 *   <li>a key of {@link #KEY_LENGTH} bytes that names the bridge: the int {@code 0x534C4252} ("SLBR"), at offset 8
 *       the bridge's Aeron client id as a long, unique in its driver (several bridges may share an external
 *       driver), and at offset 16 the local channel's name, an int length then its ASCII characters (a name has
 *       at most {@link ChannelNames#MAX_LENGTH});</li>
 *   <li>the label {@code "shmlink-bridge " + description + ": " + metric}, for people and for Aeron's own tools. The
 *       description's Aeron URI is shortened in its middle ({@code "..."}) so that every label fits Aeron's
 *       limit ({@code CountersReader.MAX_LABEL_LENGTH}, 380 characters), which Aeron's client enforces by refusing
 *       the counter, and other writers by cutting the label's end.</li>
 * </ul>
 * The reader takes the metric from the type id, and the bridge and its channel from the key; the label gives only
 * the description, so a long URI, a label cut however short, or two bridges whose descriptions read the same cannot
 * lose or mix up counters. Static methods only; each call maps and unmaps the file.
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
    private static final int KEY_CHANNEL_OFFSET = KEY_BRIDGE_ID_OFFSET + Long.BYTES;
    /** Every bridge counter's key has this length, well within Aeron's {@code CountersReader.MAX_KEY_LENGTH}. */
    static final int KEY_LENGTH = KEY_CHANNEL_OFFSET + Integer.BYTES + ChannelNames.MAX_LENGTH;

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
     * @param channel     the local channel's name, from the counters' key: whole whatever became of the labels.
     * @param description e.g. {@code out orders -> aeron:udp?endpoint=host-b:40123 stream 1001}; a URI longer than
     *                    a label allows is shortened in its middle, {@code "..."}.
     * @param values      by metric, in the order of the type ids: messages, bytes, back-pressure, oversize,
     *                    link-ups, link-downs, evictions, lost-on-close.
     */
    public record Bridge(String channel, String description, long[] values)
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
     * @param channel  the local channel's name, a valid one ({@link ChannelNames}).
     */
    static UnsafeBuffer key(final long bridgeId, final String channel)
    {
        ChannelNames.validate(channel);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        key.putInt(0, KEY_MAGIC);
        key.putLong(KEY_BRIDGE_ID_OFFSET, bridgeId);
        key.putStringAscii(KEY_CHANNEL_OFFSET, channel);
        return key;
    }

    /** The channel a bridge counter's key names, or null if it names none (written before keys held it). */
    private static String channelIn(final DirectBuffer key)
    {
        final int length = key.getInt(KEY_CHANNEL_OFFSET);
        return length > 0 && length <= ChannelNames.MAX_LENGTH ? key.getStringAscii(KEY_CHANNEL_OFFSET) : null;
    }

    /** The description in a label, without the prefix before it or the metric after it, if they are there. */
    private static String descriptionIn(final String label, final int typeId)
    {
        final String metric = ": " + METRICS[typeId - MESSAGES];
        final int start = label.startsWith(LABEL_PREFIX) ? LABEL_PREFIX.length() : 0;
        final int end = label.endsWith(metric) ? label.length() - metric.length() : label.length();
        return label.substring(start, Math.max(start, end));
    }

    /** The channel a description names, the word after the direction, for keys that do not name it. */
    private static String channelOf(final String description)
    {
        final String[] words = description.split(" ", 3);
        return words.length > 1 ? words[1] : "";
    }

    /** One bridge's counters as they are found. */
    private static final class Found
    {
        private String channel;
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
                // found by type id and key alone: a label may have been cut, even to nothing
                if (typeId >= MESSAGES && typeId <= LOST_ON_CLOSE && key.getInt(0) == KEY_MAGIC)
                {
                    final Found found = byBridge.computeIfAbsent(key.getLong(KEY_BRIDGE_ID_OFFSET), id -> new Found());
                    found.values[typeId - MESSAGES] = counters.getCounterValue(counterId);
                    final String description = descriptionIn(label, typeId);
                    if (found.description == null || description.length() > found.description.length())
                    {
                        found.description = description;
                    }
                    if (found.channel == null)
                    {
                        found.channel = channelIn(key);
                    }
                }
            });
            final List<Bridge> bridges = new ArrayList<>();
            for (final Found found : byBridge.values())
            {
                final String channel = found.channel != null ? found.channel : channelOf(found.description);
                bridges.add(new Bridge(channel, found.description, found.values));
            }
            return bridges;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
