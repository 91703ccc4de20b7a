package io.shmlink.shm.fuzz;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.segment.FanOutDescriptor;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.FuzzCases;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded, reproducible fuzzing of what a segment can hold: whatever another process, a crash or a stray write
 * leaves in it, ShmLink answers with a result or a {@link ShmLinkException}, never another exception, a JVM crash
 * or a hang (a case running past {@link #HANG_BOUND} fails with its seed). {@code -Dshmlink.fuzz.cases=N} runs
 * more cases per test (default 3000, a few seconds; {@code -Pstress} sets a million); a failing case prints its
 * seed. {@link CrossProcessFuzzTest} does the same from another process, while the channel runs.
 */
class SegmentFuzzTest
{
    private static final int CASES = Integer.getInteger("shmlink.fuzz.cases", 3000);
    private static final Duration HANG_BOUND = Duration.ofSeconds(10);
    private static final int CAPACITY = 4096;

    /** Structural fields outside the ring: positions, party tokens, counters, header. */
    private static final int[] HEADER_FIELDS = {
        SegmentDescriptor.TAIL_POSITION_OFFSET, SegmentDescriptor.HEAD_POSITION_OFFSET,
        SegmentDescriptor.CONSUMED_UP_TO_OFFSET, SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET,
        SegmentDescriptor.LOST_CLAIMS_OFFSET, SegmentDescriptor.publisherSlotOffset(0),
        SegmentDescriptor.publisherSlotOffset(0) + SegmentDescriptor.SLOT_GENERATION_OFFSET,
        SegmentDescriptor.CAPACITY_OFFSET, SegmentDescriptor.MAX_MESSAGE_LENGTH_OFFSET, SegmentDescriptor.MODE_OFFSET};

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-fuzz-", new ShmRegistry.Options().claimTimeout(Duration.ZERO));

    @Test
    void garbageWrittenIntoALiveChannelYieldsResultsOrShmLinkExceptionsOnly() throws Exception
    {
        final int[] corruptions = {0};
        FuzzCases.run(CASES, 20261124, HANG_BOUND, (c, seed, random) ->
        {
            final boolean mpsc = random.nextBoolean();
            final String name = "live-" + c;
            shm.registry().create(name, new ChannelConfig(mpsc ? ChannelMode.MPSC : ChannelMode.SPSC, CAPACITY, 256));
            final Path file = shm.directory().resolve(name);
            try (Publisher publisher = shm.registry().publisher(name);
                Subscriber subscriber = shm.registry().subscriber(name))
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
                                    "delivered a range outside the ring");
                                touchLastByte(buffer, offset, length);
                            }, 1 + random.nextInt(20));
                            default -> corrupt(file, random);
                        }
                    }
                    catch (final ShmLinkException expected)
                    {
                        corruptions[0]++;
                    }
                }
            }
            shm.registry().delete(name);
        });
        assertTrue(corruptions[0] > 0, "the fuzzer found the channels corrupt at least once");
    }

    /**
     * A channel that carried traffic (records in its ring, a lost claim, parties that left) is mutated the ways
     * a file can go wrong: random bytes anywhere, truncated to a random length, extended by a random length
     * (zeros or garbage), or truncated and scribbled on. Looking it up, listing it, and attaching a publisher
     * and a subscriber that then send and poll, all answer with results or ShmLinkExceptions.
     */
    @Test
    void randomBytesTruncationsAndExtensionsOfAValidSegmentFileYieldResultsOrShmLinkExceptionsOnly() throws Exception
    {
        final int[] refused = new int[6];
        final int[] mutations = new int[5];
        FuzzCases.run(CASES, 42, HANG_BOUND, (c, seed, random) ->
        {
            final String name = "attach-" + c;
            final boolean mpsc = random.nextBoolean();
            final Path file = shm.registry().create(name,
                new ChannelConfig(mpsc ? ChannelMode.MPSC : ChannelMode.SPSC, CAPACITY, 256)).file();
            carryTraffic(name, random);
            final long length = Files.size(file);
            final int mutation = random.nextInt(5);
            mutations[mutation]++;
            switch (mutation)
            {
                case 0 -> scribble(file, random, 1 + random.nextInt(32), length);
                case 1 -> resize(file, random.nextLong(length));
                case 2 -> extend(file, length, 1 + random.nextInt(1 << 16), random);
                case 3 ->
                {
                    final long cut =
                        SegmentDescriptor.RING_OFFSET + random.nextLong(length - SegmentDescriptor.RING_OFFSET);
                    resize(file, cut);
                    scribble(file, random, 1 + random.nextInt(8), cut);
                }
                default -> SegmentEditor.edit(file, b -> corruptField(b, random));
            }
            for (int attempt = 0; attempt < 6; attempt++)
            {
                try
                {
                    switch (attempt)
                    {
                        case 0 -> shm.registry().lookup(name);
                        case 1 -> shm.registry().list();
                        case 2 ->
                        {
                            try (Publisher publisher = shm.registry().publisher(name))
                            {
                                publisher.offer(new UnsafeBuffer(new byte[64]), 0,
                                    random.nextInt(Math.min(64, publisher.maxMessageLength()) + 1));
                            }
                        }
                        case 3 ->
                        {
                            try (Subscriber subscriber = shm.registry().subscriber(name))
                            {
                                for (int i = 0; i < 3; i++)
                                {
                                    subscriber.poll(SegmentFuzzTest::touchLastByte, 100);
                                }
                            }
                        }
                        case 4 -> shm.registry().cleanStale();
                        default -> shm.registry().delete(name);
                    }
                }
                catch (final ShmLinkException expected)
                {
                    refused[attempt]++;
                }
            }
            Files.deleteIfExists(file);
        });
        assertTrue(Arrays.stream(mutations).allMatch(n -> n > 0), "every kind of mutation was tried");
        assertTrue(refused[2] > 0 && refused[3] > 0, "some mutations were refused at attach");
    }

    /**
     * A fan-out channel carrying traffic to two subscribers while garbage lands in the fields it adds: the
     * subscriber region's header (maximum subscribers, timeout, sleepers, cleaner lease), each slot's words, the
     * released position and the membership count. Sends, polls, attaches, descriptions and the liveness thread's
     * ticks answer with results or ShmLinkExceptions; a CorruptChannelException names the channel and the field.
     */
    @Test
    void garbageInTheFanOutFieldsYieldsResultsOrShmLinkExceptionsNamingTheField() throws Exception
    {
        final int[] refusals = {0};
        FuzzCases.run(CASES, 20261206, HANG_BOUND, (c, seed, random) ->
        {
            final String name = "fan-" + c;
            final ChannelMode mode = random.nextBoolean() ? ChannelMode.SPMC : ChannelMode.MPMC;
            final Path file = shm.registry().create(name, new ChannelConfig(mode, CAPACITY, 256, 3)).file();
            final int region = FanOutDescriptor.regionOffset(CAPACITY);
            final int[] fields = {
                region + FanOutDescriptor.MAX_SUBSCRIBERS_OFFSET,
                region + FanOutDescriptor.SLOW_SUBSCRIBER_TIMEOUT_OFFSET,
                region + FanOutDescriptor.SLEEPERS_OFFSET, region + FanOutDescriptor.CLEANER_TOKEN_OFFSET,
                SegmentDescriptor.HEAD_POSITION_OFFSET, SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET,
                SegmentDescriptor.TAIL_POSITION_OFFSET};
            final int[] slotFields = {
                FanOutDescriptor.SLOT_ATTACHMENT_OFFSET, FanOutDescriptor.SLOT_TOKEN_OFFSET,
                FanOutDescriptor.SLOT_WAIT_STATE_OFFSET, FanOutDescriptor.SLOT_DOORBELL_OFFSET,
                FanOutDescriptor.SLOT_HEAD_OFFSET, FanOutDescriptor.SLOT_READ_POSITION_OFFSET};
            final Subscriber first = shm.registry().subscriber(name);
            Subscriber second = shm.registry().subscriber(name);
            try (Publisher publisher = shm.registry().publisher(name))
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
                for (int step = 0; step < 40; step++)
                {
                    try
                    {
                        switch (random.nextInt(7))
                        {
                            case 0, 1 -> publisher.offer(message, 0, random.nextInt(257));
                            case 2 -> first.poll(SegmentFuzzTest::touchLastByte, 1 + random.nextInt(20));
                            case 3 -> second.poll(SegmentFuzzTest::touchLastByte, 1 + random.nextInt(20));
                            case 4 ->
                            {
                                if (random.nextBoolean())
                                {
                                    shm.registry().lookup(name);
                                }
                                else
                                {
                                    second.close();
                                    second = shm.registry().subscriber(name);
                                }
                            }
                            default -> SegmentEditor.edit(file, b ->
                            {
                                final int field = random.nextInt(3) == 0 ? fields[random.nextInt(fields.length)] :
                                    FanOutDescriptor.slotOffset(CAPACITY, random.nextInt(3)) +
                                    slotFields[random.nextInt(slotFields.length)];
                                if (random.nextBoolean())
                                {
                                    b.putInt(field, randomInt(random));
                                }
                                else
                                {
                                    b.putLong(field, random.nextBoolean() ? random.nextLong() :
                                        random.nextLong(-16, 1 << 16));
                                }
                            });
                        }
                    }
                    catch (final CorruptChannelException corrupt)
                    {
                        assertTrue(corrupt.getMessage().contains("channel '" + name + "'") &&
                            corrupt.getMessage().contains(" = "), "names the channel and the field: " + corrupt);
                        refusals[0]++;
                    }
                    catch (final ShmLinkException expected)
                    {
                        refusals[0]++;
                    }
                }
            }
            finally
            {
                first.close();
                second.close();
            }
            shm.registry().delete(name);
        });
        assertTrue(refusals[0] > 0, "the fuzzer found the channels corrupt at least once");
    }

    /** Reads a delivered message's last byte: a range that leaves the mapping fails here, not in the JVM. */
    private static void touchLastByte(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > 0)
        {
            buffer.getByte(offset + length - 1);
        }
    }

    /** Sends, claims, aborts, polls and detaches, so the ring holds records of every kind. */
    private void carryTraffic(final String name, final SplittableRandom random)
    {
        try (Publisher publisher = shm.registry().publisher(name);
            Subscriber subscriber = shm.registry().subscriber(name))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
            final BufferClaim claim = new BufferClaim();
            for (int i = 0, n = random.nextInt(30); i < n; i++)
            {
                publisher.offer(message, 0, random.nextInt(257));
                if (random.nextInt(4) == 0 && publisher.tryClaim(random.nextInt(257), claim) > 0)
                {
                    claim.abort();
                }
                if (random.nextInt(3) == 0)
                {
                    subscriber.poll((buffer, offset, length) -> {}, random.nextInt(5));
                }
            }
        }
    }

    private static void scribble(final Path file, final SplittableRandom random, final int bytes, final long length)
    {
        if (length <= 0)
        {
            return;
        }
        SegmentEditor.edit(file, b ->
        {
            for (int i = 0; i < bytes; i++)
            {
                b.putByte((int)random.nextLong(Math.min(length, b.capacity())), (byte)random.nextInt());
            }
        });
    }

    private static void extend(final Path file, final long length, final int extra, final SplittableRandom random)
        throws IOException
    {
        resize(file, length + extra);
        if (random.nextBoolean())
        {
            final byte[] garbage = new byte[extra];
            random.nextBytes(garbage);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.seek(length);
                raf.write(garbage);
            }
        }
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
                // a record header: length or type word at a record boundary of the ring
                final int alignment = RecordDescriptor.ALIGNMENT;
                final int index = SegmentDescriptor.RING_OFFSET + random.nextInt(CAPACITY / alignment) * alignment +
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
            default -> random.nextBoolean() ?
                Integer.MAX_VALUE - random.nextInt(16) : Integer.MIN_VALUE + random.nextInt(16);
        };
    }
}
