package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A new channel's file, as written by create before anyone maps it: the ring holds its fresh value in every word
 * (0 for SPSC, the free word of lap 0 for MPSC), and what follows the ring is zero.
 */
class FreshRingTest
{
    private static final int CAPACITY = 1 << 21; // two reserve chunks: the pattern spans a chunk boundary

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("fresh-ring");

    @Test
    void anMpscRingIsCreatedHoldingLapZerosFreeWordInEveryWord() throws IOException
    {
        assertRingWords(ChannelConfig.mpsc(CAPACITY), FreeWord.of(0, Integer.numberOfTrailingZeros(CAPACITY)));
    }

    @Test
    void anSpscRingIsCreatedZero() throws IOException
    {
        assertRingWords(ChannelConfig.spsc(CAPACITY), 0);
    }

    private void assertRingWords(final ChannelConfig config, final long expected) throws IOException
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("chan", config);
        }
        final ByteBuffer file =
            ByteBuffer.wrap(Files.readAllBytes(shm.directory().resolve("chan"))).order(ByteOrder.nativeOrder());
        for (int offset = RING_OFFSET; offset < RING_OFFSET + CAPACITY; offset += Long.BYTES)
        {
            if (file.getLong(offset) != expected)
            {
                assertEquals(expected, file.getLong(offset), "ring word at file offset " + offset);
            }
        }
        for (int offset = RING_OFFSET + CAPACITY; offset < file.capacity(); offset++)
        {
            if (file.get(offset) != 0)
            {
                assertEquals(0, file.get(offset), "byte after the ring at file offset " + offset);
            }
        }
    }
}
