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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.shmlink.shm.segment.SegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class SegmentValidationTest
{
    /** In /dev/shm: a registry refuses a directory on disk. */
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("segment-validation-test-");

    private Path file;

    @BeforeEach
    void setUp()
    {
        file = shm.registry().create("chan", ChannelConfig.spsc(8192)).file();
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
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(RING_OFFSET + 4096);
        }
        assertEveryAttachRefused(CorruptChannelException.class, "chan", file.toString(), "file size", "truncated");
    }

    @Test
    void aFileShorterThanTheHeaderIsCorrupt() throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(100);
        }
        assertEveryAttachRefused(CorruptChannelException.class, "chan", "file size 100");
    }

    @Test
    void aWrongMagicIsCorrupt()
    {
        SegmentEditor.edit(file, b -> b.putLong(MAGIC_OFFSET, 0x1234L));
        assertEveryAttachRefused(CorruptChannelException.class, "chan", file.toString(), "magic", "0x1234");
    }

    @Test
    void aVersion6ChannelIsRefusedNamingItsVersionAndOurs()
    {
        SegmentEditor.edit(file, b -> b.putInt(LAYOUT_VERSION_OFFSET, 6));
        assertEveryAttachRefused(IncompatibleChannelException.class, "chan", "layout version 6", "version 7");
    }

    @Test
    void aFutureLayoutVersionIsIncompatible()
    {
        SegmentEditor.edit(file, b -> b.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION + 1));
        assertEveryAttachRefused(IncompatibleChannelException.class, "chan", "layout version " + (LAYOUT_VERSION + 1));
    }

    @Test
    void aCapacityThatIsNotAPowerOfTwoIsCorrupt()
    {
        SegmentEditor.edit(file, b -> b.putInt(CAPACITY_OFFSET, 6000));
        assertEveryAttachRefused(CorruptChannelException.class, "capacity", "6000", "power of two");
    }

    @Test
    void aCapacityLargerThanTheFileIsCorrupt()
    {
        SegmentEditor.edit(file, b -> b.putInt(CAPACITY_OFFSET, 1 << 20));
        assertEveryAttachRefused(CorruptChannelException.class, "file size");
    }

    @Test
    void aMaxMessageLengthAboveAnEighthOfTheRingIsCorrupt()
    {
        SegmentEditor.edit(file, b -> b.putInt(MAX_MESSAGE_LENGTH_OFFSET, 8192));
        assertEveryAttachRefused(CorruptChannelException.class, "max message length", "8192");
    }

    @Test
    void anUnknownModeIsCorrupt()
    {
        SegmentEditor.edit(file, b -> b.putInt(MODE_OFFSET, 7));
        assertEveryAttachRefused(CorruptChannelException.class, "mode", "7");
    }

    @Test
    void aSegmentWhoseReadyWordWasNeverWrittenIsCorrupt()
    {
        SegmentEditor.edit(file, b -> b.putInt(READY_OFFSET, 0));
        assertEveryAttachRefused(CorruptChannelException.class, "ready");
    }

    @Test
    void aRecordLengthPointingPastTheRingIsCorruptNotACrash()
    {
        final Subscriber subscriber = shm.registry().subscriber("chan");
        SegmentEditor.edit(file, b -> b.putInt(RING_OFFSET, 1 << 20));
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
            () -> subscriber.poll((buffer, offset, length) -> fail("nothing valid to deliver"), 10));
        assertTrue(ex.getMessage().contains("record length"), ex.getMessage());
        assertTrue(ex.getMessage().contains(Integer.toString(1 << 20)), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
    }

    @Test
    void aRecordLongerThanTheMaximumMessageIsCorrupt()
    {
        final Subscriber subscriber = shm.registry().subscriber("chan");
        SegmentEditor.edit(file, b -> b.putInt(RING_OFFSET, 4000));
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
            () -> subscriber.poll((buffer, offset, length) -> fail("nothing valid to deliver"), 10));
        assertTrue(ex.getMessage().contains("exceeds the maximum"), ex.getMessage());
    }

    @Test
    void aRecordLengthShorterThanItsHeaderIsCorrupt()
    {
        final Subscriber subscriber = shm.registry().subscriber("chan");
        SegmentEditor.edit(file, b -> b.putInt(RING_OFFSET, 3));
        assertThrows(CorruptChannelException.class, () -> subscriber.poll((buffer, offset, length) -> {}, 10));
    }

    @Test
    void aHeadPositionAheadOfTheTailIsCorruptAtAttach()
    {
        SegmentEditor.edit(file, b -> b.putLong(HEAD_POSITION_OFFSET, 1L << 40));
        assertRefused(CorruptChannelException.class, () -> shm.registry().subscriber("chan"), "head position");
        assertRefused(CorruptChannelException.class, () -> shm.registry().publisher("chan"), "head");
    }

    @Test
    void aMisalignedTailIsCorruptAtAttach()
    {
        SegmentEditor.edit(file, b -> b.putLong(TAIL_POSITION_OFFSET, 3));
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
            "chan", file.toString());
    }

    @Test
    void openOrCreateWithAnotherConfigurationIsIncompatible()
    {
        assertRefused(IncompatibleChannelException.class,
            () -> shm.registry().openOrCreate("chan", ChannelConfig.mpsc(8192)), "chan", "MPSC");
        assertEquals(file, shm.registry().openOrCreate("chan", ChannelConfig.spsc(8192)).file());
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
        assertEquals(RING_OFFSET + 8192, Files.size(file));
        assertEquals(0, Files.size(file) % 4096);
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
        SegmentEditor.edit(file, b ->
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
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(RING_OFFSET + 8192 + 4099);
        }
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
