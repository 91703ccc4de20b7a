package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PageFaultsTest
{
    private static ByteBuffer line(final String stat)
    {
        return ByteBuffer.wrap(stat.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsMinorAndMajorFaultsAfterTheCommandName()
    {
        final ByteBuffer stat = line("4242 (java) S 1 4242 4242 0 -1 4194560 123456 0 78 0 10 5 0 0 20 0 30 0\n");

        assertEquals(123456, PageFaults.field(stat, 10));
        assertEquals(78, PageFaults.field(stat, 12));
        assertEquals(4242, PageFaults.field(stat, 5));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields()
    {
        final ByteBuffer stat = line("7 (a) b (c d) R 1 7 7 0 -1 0 11 0 22 0\n");

        assertEquals(11, PageFaults.field(stat, 10));
        assertEquals(22, PageFaults.field(stat, 12));
    }

    @Test
    void aMissingOrMalformedFieldIsMinusOne()
    {
        assertEquals(-1, PageFaults.field(line("7 (java) S 1 2"), 10));
        assertEquals(-1, PageFaults.field(line("no name here 1 2 3 4 5 6 7 8 9 10"), 10));
        assertEquals(-1, PageFaults.field(line("7 (java) S 1 7 7 0 -1 0 x1 0 22 0"), 10));
        assertEquals(-1, PageFaults.field(line("7 (java) S 1 7 7 0 -1 0 -5 0 22 0"), 10));
    }

    @Test
    void touchingNewPagesRaisesThisThreadsMinorFaults(@TempDir final Path directory) throws IOException
    {
        assumeTrue(Files.isReadable(PageFaults.THREAD), "no /proc/thread-self/stat here");
        final int pages = 256;
        try (PageFaults thread = PageFaults.open(PageFaults.THREAD);
            PageFaults process = PageFaults.open(PageFaults.PROCESS);
            FileChannel file = FileChannel.open(directory.resolve("pages"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // A fresh shared mapping: its first touch of each page is a fault, whatever the file system.
            final MappedByteBuffer mapping = file.map(FileChannel.MapMode.READ_WRITE, 0, pages * 4096L);
            final long before = thread.sample().minor();
            final long processBefore = process.sample().minor();
            assertTrue(before >= 0 && processBefore >= before, before + " " + processBefore);

            for (int page = 0; page < pages; page++)
            {
                mapping.put(page * 4096, (byte)1);
            }

            final long taken = thread.sample().minor() - before;
            assertTrue(taken >= pages / 2, "touching " + pages + " new pages took " + taken + " minor faults");
            assertTrue(process.sample().minor() - processBefore >= taken);
        }
    }

    @Test
    void cpuTicksAreUserPlusSystemTimeFromTheSameRead(@TempDir final Path directory) throws IOException
    {
        final Path stat = directory.resolve("stat");
        Files.writeString(stat, "4242 (a b) S 1 4242 4242 0 -1 4194560 123456 0 78 0 10 5 0 0 20 0 30 0\n");

        try (PageFaults faults = PageFaults.open(stat))
        {
            assertEquals(15, faults.sample().cpuTicks());
            assertEquals(123456, faults.minor());
        }
    }

    @Test
    void aFileThatCannotBeOpenedReadsAsUnknown(@TempDir final Path directory)
    {
        try (PageFaults faults = PageFaults.open(directory.resolve("absent")))
        {
            assertEquals(-1, faults.sample().minor());
            assertEquals(-1, faults.major());
            assertEquals(-1, faults.cpuTicks());
        }
    }
}
