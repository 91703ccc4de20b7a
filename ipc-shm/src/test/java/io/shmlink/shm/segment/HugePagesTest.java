package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Segments take the page size of their directory's filesystem: sized to it, and on huge pages where the directory
 * gives them. Mounting needs root (CI has it); elsewhere these tests are skipped with the reason.
 */
class HugePagesTest
{
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    private static final int TWO_MIB = 2 << 20;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("pages");
    private final List<Path> mounts = new ArrayList<>();
    private String hugePagesBefore;

    @AfterEach
    void tearDown() throws Exception
    {
        for (final Path mount : mounts)
        {
            // lazily: the segments stay mapped until the garbage collector unmaps them
            new ProcessBuilder("umount", "--lazy", mount.toString()).inheritIO().start().waitFor();
        }
        if (hugePagesBefore != null)
        {
            Files.writeString(NR_HUGEPAGES, hugePagesBefore);
        }
    }

    @Test
    void aSegmentOnOrdinaryTmpfsIsSizedToTheSystemPage() throws IOException
    {
        final DirectoryPages pages = DirectoryPages.of(shm.directory());
        assertFalse(pages.isHugetlbfs());
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            registry.create("small", ChannelConfig.spsc(64 << 10));
        }
        assertEquals(SegmentDescriptor.segmentLength(64 << 10, pages.pageSize()),
            Files.size(shm.directory().resolve("small")));
    }

    @Test
    void aSegmentOnTmpfsWithHugePagesIsMappedOnThem() throws Exception
    {
        final Path huge = mount("thp", "tmpfs", "huge=always,size=64m,mode=0700");
        final DirectoryPages pages = DirectoryPages.of(huge);
        assertEquals(TWO_MIB, pages.pageSize(), pages.toString());
        try (ShmRegistry registry = ShmRegistry.open(huge))
        {
            assertTrue(registry.pages().toString().contains("huge pages, 2048 KiB"), registry.pages().toString());
            registry.create("ring", ChannelConfig.spsc(1 << 20));
            assertEquals(0, Files.size(huge.resolve("ring")) % TWO_MIB, "a whole number of huge pages");
            exchange(registry, "ring");
            assertTrue(pmdMappedKib(huge.resolve("ring")) >= TWO_MIB >> 10,
                "the mapping of the segment is on huge pages (ShmemPmdMapped in /proc/self/smaps)");
        }
    }

    @Test
    void aSegmentOnHugetlbfsIsReservedByItsMapping() throws Exception
    {
        hugePagesBefore = Files.readString(NR_HUGEPAGES).trim();
        try
        {
            Files.writeString(NR_HUGEPAGES, Integer.toString(Integer.parseInt(hugePagesBefore) + 8));
        }
        catch (final IOException | RuntimeException ex)
        {
            hugePagesBefore = null;
            assumeTrue(false, "cannot reserve huge pages here: " + ex);
        }
        final Path huge = mount("hugetlb", "hugetlbfs", "pagesize=2M,mode=0700");
        final DirectoryPages pages = DirectoryPages.of(huge);
        assertTrue(pages.isHugetlbfs(), pages.toString());
        assertEquals(TWO_MIB, pages.pageSize());
        try (ShmRegistry registry = ShmRegistry.open(huge))
        {
            registry.create("ring", ChannelConfig.spsc(1 << 20));
            assertEquals(TWO_MIB, Files.size(huge.resolve("ring")), "header and 1 MiB ring: one huge page");
            exchange(registry, "ring");
        }
    }

    /** Sends 10,000 numbered messages through the channel and checks each. */
    private static void exchange(final ShmRegistry registry, final String channel)
    {
        final Subscriber subscriber = registry.subscriber(channel);
        final Publisher publisher = registry.publisher(channel);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        final long[] next = {0};
        for (long i = 0; i < 10_000; i++)
        {
            message.putLong(0, i);
            message.putLong(248, ~i);
            assertTrue(publisher.offer(message, 0, 256) > 0);
            assertEquals(1, subscriber.poll((buffer, offset, length) ->
            {
                assertEquals(next[0], buffer.getLong(offset));
                assertEquals(~next[0], buffer.getLong(offset + 248));
                next[0]++;
            }, 1));
        }
        assertEquals(10_000, next[0]);
    }

    private Path mount(final String name, final String type, final String options) throws Exception
    {
        final Path mountPoint = Files.createDirectory(shm.directory().resolve(name));
        final Process mount = new ProcessBuilder("mount", "-t", type, "-o", options, type, mountPoint.toString())
            .redirectErrorStream(true).start();
        final String output = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
            "cannot mount " + type + " here (needs root): " + output);
        mounts.add(mountPoint);
        return mountPoint;
    }

    /** The KiB of {@code file}'s mappings in this process that the kernel maps with huge-page (PMD) entries. */
    private static long pmdMappedKib(final Path file) throws IOException
    {
        long kib = 0;
        boolean inMapping = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*"))
            {
                inMapping = line.endsWith(" " + file.toRealPath());
            }
            else if (inMapping && line.startsWith("ShmemPmdMapped:"))
            {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib;
    }
}
