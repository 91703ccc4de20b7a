package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelExistsException;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.IncompatibleChannelException;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.shmlink.shm.segment.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class SegmentValidationTest
{
    /** In /dev/shm: a registry refuses a directory on disk. */
    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("segment-validation-test-").withChannel("chan", ChannelConfig.spsc(8192));

    private Path file()
    {
        return shm.channelFile();
    }

    /** Cuts or extends the channel's file to {@code length} bytes, as another process could. */
    private void setFileLength(final long length) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw"))
        {
            raf.setLength(length);
        }
    }

    private static <T extends Throwable> T assertRefused(
        final Class<T> type, final Executable attach, final String... mentions)
    {
        final T ex = assertThrows(type, attach);
        for (final String mention : mentions)
        {
            assertTrue(ex.getMessage().contains(mention), () -> "'" + mention + "' not in: " + ex.getMessage());
        }
        return ex;
    }

    private void assertEveryAttachRefused(final Class<? extends Throwable> type, final String... mentions)
    {
        assertRefused(type, () -> shm.registry().publisher("chan"), mentions);
        assertRefused(type, () -> shm.registry().subscriber("chan"), mentions);
        assertRefused(type, () -> shm.registry().lookup("chan"), mentions);
    }

    @Test
    void aTruncatedFileIsCorrupt() throws Exception
    {
        setFileLength(RING_OFFSET + 4096);
        assertEveryAttachRefused(CorruptChannelException.class, "chan", file().toString(), "file size", "truncated");
    }

    @Test
    void aFileShorterThanTheHeaderIsCorrupt() throws Exception
    {
        setFileLength(100);
        assertEveryAttachRefused(CorruptChannelException.class, "chan", "file size 100");
    }

    @Test
    void aWrongMagicIsCorrupt()
    {
        SegmentEditor.edit(file(), b -> b.putLong(MAGIC_OFFSET, 0x1234L));
        assertEveryAttachRefused(CorruptChannelException.class, "chan", file().toString(), "magic", "0x1234");
    }

    /**
     * Header words no valid channel of this layout has: an older or a newer layout version, a capacity that is not
     * a power of two or larger than the file, a maximum message length above an eighth of the ring, an unknown mode,
     * a ready word never written.
     */
    static Stream<Arguments> impossibleHeaderWords()
    {
        return Stream.of(
            arguments(named("a version 6 channel, naming its version and ours", LAYOUT_VERSION_OFFSET), 6,
                IncompatibleChannelException.class, List.of("chan", "layout version 6", "version 7")),
            arguments(named("a future layout version", LAYOUT_VERSION_OFFSET), LAYOUT_VERSION + 1,
                IncompatibleChannelException.class, List.of("chan", "layout version " + (LAYOUT_VERSION + 1))),
            arguments(named("a capacity that is not a power of two", CAPACITY_OFFSET), 6000,
                CorruptChannelException.class, List.of("capacity", "6000", "power of two")),
            arguments(named("a capacity larger than the file", CAPACITY_OFFSET), 1 << 20,
                CorruptChannelException.class, List.of("file size")),
            arguments(named("a max message length above an eighth of the ring", MAX_MESSAGE_LENGTH_OFFSET), 8192,
                CorruptChannelException.class, List.of("max message length", "8192")),
            arguments(named("an unknown mode", MODE_OFFSET), 7,
                CorruptChannelException.class, List.of("mode", "7")),
            arguments(named("a ready word never written", READY_OFFSET), 0,
                CorruptChannelException.class, List.of("ready")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impossibleHeaderWords")
    void aHeaderWordNoValidChannelHasIsRefusedAtEveryAttachNamingIt(
        final int offset, final int value, final Class<? extends Throwable> type, final List<String> mentions)
    {
        SegmentEditor.edit(file(), b -> b.putInt(offset, value));
        assertEveryAttachRefused(type, mentions.toArray(String[]::new));
    }

    /**
     * Writes {@code length} as the first record's length under an attached subscriber and polls.
     *
     * @return why the poll refused the record, which it must.
     */
    private String pollRefusalOfRecordLength(final int length)
    {
        final Subscriber subscriber = shm.registry().subscriber("chan");
        SegmentEditor.edit(file(), b -> b.putInt(RING_OFFSET, length));
        return assertThrows(CorruptChannelException.class,
            () -> subscriber.poll((buffer, offset, len) -> fail("nothing valid to deliver"), 10)).getMessage();
    }

    @Test
    void aRecordLengthPointingPastTheRingIsCorruptNotACrash()
    {
        final String refusal = pollRefusalOfRecordLength(1 << 20);
        assertTrue(refusal.contains("record length"), refusal);
        assertTrue(refusal.contains(Integer.toString(1 << 20)), refusal);
        assertTrue(refusal.contains(file().toString()), refusal);
    }

    @Test
    void aRecordLongerThanTheMaximumMessageIsCorrupt()
    {
        final String refusal = pollRefusalOfRecordLength(4000);
        assertTrue(refusal.contains("exceeds the maximum"), refusal);
    }

    @Test
    void aRecordLengthShorterThanItsHeaderIsCorrupt()
    {
        pollRefusalOfRecordLength(3);
    }

    @Test
    void aHeadPositionAheadOfTheTailIsCorruptAtAttach()
    {
        SegmentEditor.edit(file(), b -> b.putLong(HEAD_POSITION_OFFSET, 1L << 40));
        assertRefused(CorruptChannelException.class, () -> shm.registry().subscriber("chan"), "head position");
        assertRefused(CorruptChannelException.class, () -> shm.registry().publisher("chan"), "head");
    }

    @Test
    void aMisalignedTailIsCorruptAtAttach()
    {
        SegmentEditor.edit(file(), b -> b.putLong(TAIL_POSITION_OFFSET, 3));
        assertRefused(CorruptChannelException.class, () -> shm.registry().publisher("chan"), "tail");
    }

    @Test
    void aSecondLiveSubscriberIsRefused()
    {
        final Subscriber first = shm.registry().subscriber("chan");
        final ShmLinkException ex = assertRefused(ShmLinkException.class, () -> shm.registry().subscriber("chan"),
            "chan", "live subscriber", "pid " + ProcessHandle.current().pid());
        assertEquals(ShmLinkException.class, ex.getClass());
        first.close();
        assertNotNull(shm.registry().subscriber("chan"), "the slot is free once the first closes");
    }

    @Test
    void aSecondLivePublisherOfAnSpscChannelIsRefused()
    {
        final Publisher first = shm.registry().publisher("chan");
        assertRefused(ShmLinkException.class, () -> shm.registry().publisher("chan"), "SPSC", "live publisher");
        first.close();
        assertNotNull(shm.registry().publisher("chan"));
    }

    @Test
    void aSecondRegistryInTheSameProcessCannotAddASecondSubscriber()
    {
        shm.registry().subscriber("chan");
        try (ShmRegistry other = ShmRegistry.open(shm.directory()))
        {
            assertThrows(ShmLinkException.class, () -> other.subscriber("chan"));
        }
    }

    @Test
    void creatingAnExistingChannelIsRefused()
    {
        assertRefused(ChannelExistsException.class, () -> shm.registry().create("chan", ChannelConfig.spsc(8192)),
            "chan", file().toString());
    }

    @Test
    void openOrCreateWithAnotherConfigurationIsIncompatible()
    {
        assertRefused(IncompatibleChannelException.class,
            () -> shm.registry().openOrCreate("chan", ChannelConfig.mpsc(8192)), "chan", "MPSC");
        assertEquals(file(), shm.registry().openOrCreate("chan", ChannelConfig.spsc(8192)).file());
    }

    @Test
    void attachingToAMissingChannelIsNotFound()
    {
        assertRefused(ChannelNotFoundException.class, () -> shm.registry().publisher("nope"), "nope");
        assertRefused(ChannelNotFoundException.class, () -> shm.registry().subscriber("nope"), "nope");
        assertTrue(shm.registry().lookup("nope").isEmpty());
        assertFalse(shm.registry().delete("nope"));
    }

    @Test
    void aFileIsWholePagesWithTheRingAfterTheHeaderPage() throws Exception
    {
        assertEquals(RING_OFFSET + 8192, Files.size(file()));
        assertEquals(0, Files.size(file()) % 4096);
    }

    @Test
    void anMpscSubscriberTakingOverFinishesAReleaseItsPredecessorDiedIn()
    {
        shm.registry().create("mchan", ChannelConfig.mpsc(8192));
        final Path mfile = shm.directory().resolve("mchan");
        final Publisher publisher = shm.registry().publisher("mchan");
        for (int i = 0; i < 3; i++)
        {
            publisher.offer(new UnsafeBuffer(new byte[]{(byte)i}), 0, 1);
        }
        // A subscriber died after announcing it consumed the first two records and after zeroing only the first:
        // the successor must resume at the third, not parse the half-zeroed second.
        final int record = RecordDescriptor.recordLength(1);
        SegmentEditor.edit(mfile, b ->
        {
            b.putLong(CONSUMED_UP_TO_OFFSET, 2 * record);
            b.setMemory(RING_OFFSET, record, (byte)0);
        });
        final Subscriber successor = shm.registry().subscriber("mchan");
        final byte[] got = new byte[4];
        final int[] count = new int[1];
        successor.poll((buffer, offset, length) -> got[count[0]++] = buffer.getByte(offset), 10);
        assertEquals(1, count[0]);
        assertEquals(2, got[0]);
    }

    // Regressions found by SegmentFuzzTest

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aPaddingLengthThatOverflowsWhenAlignedIsCorruptNotAnEndlessPoll()
    {
        final Subscriber subscriber = shm.registry().subscriber("chan");
        SegmentEditor.edit(file(), b ->
        {
            b.putInt(RING_OFFSET + 4, io.shmlink.shm.ring.RecordDescriptor.PADDING_TYPE);
            b.putInt(RING_OFFSET, Integer.MAX_VALUE - 3);
        });
        assertThrows(CorruptChannelException.class, () -> subscriber.poll((buffer, offset, length) -> {}, 10));
    }

    @Test
    void aMisalignedTailInAnMpscChannelIsCorruptAtTheNextOffer()
    {
        shm.registry().create("m", ChannelConfig.mpsc(4096));
        final Publisher publisher = shm.registry().publisher("m");
        SegmentEditor.edit(shm.directory().resolve("m"), b -> b.putLong(TAIL_POSITION_OFFSET, 4093));
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
            () -> publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8));
        assertTrue(ex.getMessage().contains("tail position"), ex.getMessage());
    }

    @Test
    void aSegmentFileOfAnOddLengthCanBeAttachedWithoutReadingPastItsEnd() throws Exception
    {
        setFileLength(RING_OFFSET + 8192 + 4099);
        final Publisher publisher = shm.registry().publisher("chan");
        assertTrue(publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0);
    }

    @Test
    void aSegmentMustBeNativeMemoryCoveringHeaderAndRingForTheRingsRawAccess()
    {
        final ChannelConfig config = ChannelConfig.spsc(8192);
        final Path nowhere = Path.of("(test)");
        assertRefused(IllegalArgumentException.class,
            () -> new ChannelSegment("heap", nowhere, config, new UnsafeBuffer(new byte[RING_OFFSET + 8192])),
            "native memory");
        assertRefused(CorruptChannelException.class, () -> new ChannelSegment("short", nowhere, config,
            new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(RING_OFFSET + 8192 - 8))), "short", "mapped length",
            "12288", "12280");
        assertEquals(RING_OFFSET + 8192, new ChannelSegment("fits", nowhere, config,
            new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(RING_OFFSET + 8192))).buffer().capacity());
    }
}
