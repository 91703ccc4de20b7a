package io.shmlink.shm.fuzz;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.ShmTestDirectory;
import io.shmlink.shm.testing.SegmentEditor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded, reproducible fuzzing of what a segment can hold: whatever another process, a crash or a stray write
 * leaves in it, ShmLink answers with a result or a {@link ShmLinkException}, never another exception, a JVM crash
 * or a hang. {@code -Dshmlink.fuzz.cases=N} runs more cases (the stress profile's million); a failing case
 * prints its seed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SegmentFuzzTest
{
    private static final int CASES = Integer.getInteger("shmlink.fuzz.cases", 1500);
    private static final int CAPACITY = 4096;

    /** Structural fields outside the ring: positions, party tokens, counters, header. */
    private static final int[] HEADER_FIELDS = {
        SegmentDescriptor.TAIL_POSITION_OFFSET, SegmentDescriptor.HEAD_POSITION_OFFSET,
        SegmentDescriptor.CONSUMED_UP_TO_OFFSET, SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET,
        SegmentDescriptor.LOST_CLAIMS_OFFSET, SegmentDescriptor.publisherSlotOffset(0),
        SegmentDescriptor.publisherSlotOffset(0) + SegmentDescriptor.SLOT_GENERATION_OFFSET,
        SegmentDescriptor.CAPACITY_OFFSET, SegmentDescriptor.MAX_MESSAGE_LENGTH_OFFSET, SegmentDescriptor.MODE_OFFSET};

    private Path dir;
    private ShmRegistry registry;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = ShmTestDirectory.create("shmlink-fuzz-");
        registry = ShmRegistry.open(dir, new ShmRegistry.Options().claimTimeout(Duration.ZERO));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        registry.close();
        ShmTestDirectory.delete(dir);
    }

    @Test
    void garbageWrittenIntoALiveChannelYieldsResultsOrShmLinkExceptionsOnly()
    {
        final SplittableRandom seeds = new SplittableRandom(20261124);
        int corruptions = 0;
        for (int c = 0; c < CASES; c++)
        {
            final long seed = seeds.nextLong();
            final SplittableRandom random = new SplittableRandom(seed);
            final boolean mpsc = random.nextBoolean();
            final String name = "live-" + c;
            registry.create(name, new ChannelConfig(mpsc ? ChannelMode.MPSC : ChannelMode.SPSC, CAPACITY, 256));
            final Path file = dir.resolve(name);
            try (Publisher publisher = registry.publisher(name); Subscriber subscriber = registry.subscriber(name))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
                final BufferClaim claim = new BufferClaim();
                for (int step = 0; step < 40; step++)
                {
                    try
                    {
                        switch (random.nextInt(6))
                        {
                            case 0 -> publisher.offer(message, 0, random.nextInt(257));
                            case 1 ->
                            {
                                if (publisher.tryClaim(random.nextInt(257), claim) > 0)
                                {
                                    if (random.nextBoolean())
                                    {
                                        claim.commit();
                                    }
                                    else
                                    {
                                        claim.abort();
                                    }
                                }
                            }
                            case 2, 3 -> subscriber.poll((buffer, offset, length) ->
                            {
                                assertTrue(offset >= SegmentDescriptor.RING_OFFSET && length >= 0 &&
                                    offset + length <= SegmentDescriptor.RING_OFFSET + CAPACITY,
                                    "seed " + seed + ": delivered a range outside the ring");
                                buffer.getByte(offset + Math.max(0, length - 1));
                            }, 1 + random.nextInt(20));
                            default -> corrupt(file, random);
                        }
                    }
                    catch (final ShmLinkException expected)
                    {
                        corruptions++;
                    }
                    catch (final RuntimeException | AssertionError unexpected)
                    {
                        throw new AssertionError("seed " + seed + " (case " + c + ", step " + step + "): " +
                            unexpected, unexpected);
                    }
                }
            }
            registry.delete(name);
        }
        assertTrue(corruptions > 0, "the fuzzer found the channels corrupt at least once");
    }

    @Test
    void randomBytesTruncationsAndExtensionsOfASegmentFileAreRefusedCleanlyAtAttach() throws IOException
    {
        final SplittableRandom seeds = new SplittableRandom(42);
        int refused = 0;
        for (int c = 0; c < CASES; c++)
        {
            final long seed = seeds.nextLong();
            final SplittableRandom random = new SplittableRandom(seed);
            final String name = "attach-" + c;
            final Path file = registry.create(name, ChannelConfig.mpsc(CAPACITY)).file();
            switch (random.nextInt(4))
            {
                case 0 -> SegmentEditor.edit(file, b ->
                {
                    for (int i = 0, n = 1 + random.nextInt(16); i < n; i++)
                    {
                        b.putByte(random.nextInt(SegmentDescriptor.RING_OFFSET), (byte)random.nextInt());
                    }
                });
                case 1 -> resize(file, random.nextInt(SegmentDescriptor.RING_OFFSET + CAPACITY));
                case 2 -> resize(file, SegmentDescriptor.RING_OFFSET + CAPACITY + 1 + random.nextInt(1 << 16));
                default -> SegmentEditor.edit(file, b -> corruptField(b, random));
            }
            for (int attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    switch (attempt)
                    {
                        case 0 -> registry.lookup(name);
                        case 1 -> registry.publisher(name).close();
                        default -> registry.subscriber(name).close();
                    }
                }
                catch (final ShmLinkException expected)
                {
                    refused++;
                }
                catch (final RuntimeException unexpected)
                {
                    throw new AssertionError("seed " + seed + " (case " + c + "): " + unexpected, unexpected);
                }
            }
            Files.delete(file);
        }
        assertTrue(refused > 0, "some mutations were refused");
    }

    private static void resize(final Path file, final long length) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length);
        }
    }

    private static void corrupt(final Path file, final SplittableRandom random)
    {
        SegmentEditor.edit(file, b ->
        {
            if (random.nextBoolean())
            {
                corruptField(b, random);
            }
            else
            {
                // a record header: length or type word at an 8-aligned index of the ring
                final int index = SegmentDescriptor.RING_OFFSET + random.nextInt(CAPACITY / 8) * 8 +
                    (random.nextBoolean() ? 0 : 4);
                b.putInt(index, randomInt(random));
            }
        });
    }

    private static void corruptField(final UnsafeBuffer buffer, final SplittableRandom random)
    {
        final int field = HEADER_FIELDS[random.nextInt(HEADER_FIELDS.length)];
        if (field == SegmentDescriptor.CAPACITY_OFFSET || field == SegmentDescriptor.MAX_MESSAGE_LENGTH_OFFSET ||
            field == SegmentDescriptor.MODE_OFFSET ||
            field == SegmentDescriptor.publisherSlotOffset(0) + SegmentDescriptor.SLOT_GENERATION_OFFSET)
        {
            buffer.putInt(field, randomInt(random));
        }
        else
        {
            buffer.putLong(field, random.nextBoolean() ? random.nextLong() : random.nextLong(-16, 1 << 16));
        }
    }

    /** Values near the edges as often as anywhere. */
    private static int randomInt(final SplittableRandom random)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> random.nextInt();
            case 1 -> random.nextInt(-16, 16);
            case 2 -> random.nextInt(CAPACITY * 2);
            default -> random.nextBoolean() ? Integer.MAX_VALUE - random.nextInt(16) : Integer.MIN_VALUE + random.nextInt(16);
        };
    }
}
