package io.shmlink.shm.testing;

import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.shmlink.shm.segment.SegmentDescriptor.*;

/**
 * Child JVM for cross-process fuzzing: publishes {@link TaggedMessages} (as publisher 0) into a live channel
 * and, between messages, writes random values into random fields of the channel through its own mapping, as a
 * buggy or hostile process could. Which fields depends on the target:
 * <ul>
 *   <li>{@code header}: the creator's fields, the counters and the heartbeats, which parties read at attach or
 *   for statistics only;</li>
 *   <li>{@code control}: positions, party tokens and publisher slot generations;</li>
 *   <li>{@code records}: length and type words in the ring.</li>
 * </ul>
 * A publisher that finds the channel corrupt stops publishing; the scribbling goes on. Prints {@code STARTED},
 * then {@code PUBLISHED <n>} and {@code DONE}, and exits 0. Args: directory channel seed scribbles target
 */
public final class ScribblerMain
{
    private static final int[] HEADER_LONGS = {MAGIC_OFFSET, CREATION_TIME_OFFSET, CREATOR_PID_OFFSET,
        MESSAGES_CONSUMED_OFFSET, BYTES_CONSUMED_OFFSET, SUBSCRIBER_HEARTBEAT_OFFSET, LOST_CLAIMS_OFFSET,
        BACK_PRESSURE_EVENTS_OFFSET, publisherSlotOffset(0) + SLOT_HEARTBEAT_OFFSET,
        publisherSlotOffset(1) + SLOT_HEARTBEAT_OFFSET, publisherSlotOffset(1) + SLOT_LAST_HOLDER_OFFSET,
        LAST_LOST_CLAIM_SEQUENCE_OFFSET, LAST_LOST_CLAIM_POSITION_OFFSET, LAST_LOST_CLAIM_TIME_OFFSET,
        LAST_LOST_CLAIM_PID_OFFSET};
    private static final int[] HEADER_INTS = {LAYOUT_VERSION_OFFSET, MODE_OFFSET, CAPACITY_OFFSET,
        MAX_MESSAGE_LENGTH_OFFSET, READY_OFFSET, LAST_LOST_CLAIM_LENGTH_OFFSET, LAST_LOST_CLAIM_SESSION_OFFSET};
    private static final int[] CONTROL_LONGS = {TAIL_POSITION_OFFSET, HEAD_POSITION_OFFSET, CONSUMED_UP_TO_OFFSET,
        SUBSCRIBER_TOKEN_OFFSET, publisherSlotOffset(0) + SLOT_TOKEN_OFFSET,
        publisherSlotOffset(1) + SLOT_TOKEN_OFFSET};
    private static final int[] CONTROL_INTS = {publisherSlotOffset(0) + SLOT_GENERATION_OFFSET,
        publisherSlotOffset(1) + SLOT_GENERATION_OFFSET};

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final String channel = args[1];
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        final int scribbles = Integer.parseInt(args[3]);
        final String target = args[4];
        long published = 0;
        try (ShmRegistry registry = ShmRegistry.open(dir); Publisher publisher = registry.publisher(channel))
        {
            final MappedByteBuffer mapping = IoUtil.mapExistingFile(dir.resolve(channel).toFile(), channel);
            final UnsafeBuffer segment = new UnsafeBuffer(mapping);
            final int capacity = segment.getInt(CAPACITY_OFFSET);
            final TaggedMessages messages = new TaggedMessages(publisher.maxMessageLength());
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[publisher.maxMessageLength()]);
            System.out.println("STARTED");
            System.out.flush();
            boolean publishing = true;
            for (int s = 0; s < scribbles; s++)
            {
                for (int m = 0, n = random.nextInt(8); m < n && publishing; m++)
                {
                    try
                    {
                        final int length = messages.write(0, published, scratch, 0);
                        if (publisher.offer(scratch, 0, length) > 0)
                        {
                            published++;
                        }
                    }
                    catch (final ShmLinkException corrupt)
                    {
                        publishing = false;
                    }
                }
                scribble(segment, target, capacity, random);
                Thread.yield();
            }
            IoUtil.unmap(mapping);
        }
        catch (final ShmLinkException closedOnACorruptChannel)
        {
            // closing may find the slot scribbled on; nothing to report
        }
        System.out.println("PUBLISHED " + published);
        System.out.println("DONE");
        System.out.flush();
    }

    private static void scribble(
        final UnsafeBuffer segment, final String target, final int capacity, final SplittableRandom random)
    {
        switch (target)
        {
            case "header" ->
            {
                if (random.nextBoolean())
                {
                    segment.putLongVolatile(HEADER_LONGS[random.nextInt(HEADER_LONGS.length)], randomLong(random));
                }
                else
                {
                    segment.putIntVolatile(HEADER_INTS[random.nextInt(HEADER_INTS.length)], randomInt(random));
                }
            }
            case "control" ->
            {
                if (random.nextInt(4) != 0)
                {
                    segment.putLongVolatile(CONTROL_LONGS[random.nextInt(CONTROL_LONGS.length)], randomLong(random));
                }
                else
                {
                    segment.putIntVolatile(CONTROL_INTS[random.nextInt(CONTROL_INTS.length)], randomInt(random));
                }
            }
            case "records" ->
            {
                final int word = RING_OFFSET + random.nextInt(capacity / 4) * 4;
                segment.putIntVolatile(word, randomInt(random));
            }
            default -> throw new IllegalArgumentException("target " + target);
        }
    }

    /** Values near the edges as often as anywhere. */
    private static int randomInt(final SplittableRandom random)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> random.nextInt();
            case 1 -> random.nextInt(-16, 16);
            case 2 -> random.nextInt(1 << 16);
            default -> random.nextBoolean() ?
                Integer.MAX_VALUE - random.nextInt(16) : Integer.MIN_VALUE + random.nextInt(16);
        };
    }

    private static long randomLong(final SplittableRandom random)
    {
        return switch (random.nextInt(3))
        {
            case 0 -> random.nextLong();
            case 1 -> random.nextLong(-16, 1 << 20);
            default -> random.nextBoolean() ? Long.MAX_VALUE - random.nextInt(16) : Long.MIN_VALUE + random.nextInt(16);
        };
    }
}
