package io.shmlink.shm.segment;

import org.agrona.UnsafeApi;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The page size that segment files in a directory are mapped with, read from the directory's filesystem: a segment
 * is sized and aligned to it, so that a ring on huge pages takes no 4 KiB page (and no TLB entry per 4 KiB).
 * <ul>
 *   <li><b>hugetlbfs</b>: the filesystem's block size, its huge page size (mount option {@code pagesize}). Files
 *   there cannot be written with {@code write(2)}; their pages are reserved when they are mapped.</li>
 *   <li><b>tmpfs mounted {@code huge=always} or {@code huge=within_size}</b>: the kernel's transparent huge page
 *   size (the PMD size, {@code /sys/kernel/mm/transparent_hugepage/hpage_pmd_size}). The kernel aligns shared tmpfs mappings to it.</li>
 *   <li>anything else: the system page size.</li>
 * </ul>
 */
public final class DirectoryPages
{
    private static final int SYSTEM_PAGE_SIZE = UnsafeApi.pageSize();
    private static final int DEFAULT_HUGE_PAGE_SIZE = 2 << 20;
    private static final Path THP_PMD_SIZE = Path.of("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");

    private final int pageSize;
    private final boolean hugetlbfs;
    private final String description;

    private DirectoryPages(final int pageSize, final boolean hugetlbfs, final String description)
    {
        this.pageSize = pageSize;
        this.hugetlbfs = hugetlbfs;
        this.description = description;
    }

    /**
     * Reads the pages of a directory's filesystem.
     *
     * @param directory an existing directory.
     * @return its pages; the system's if the filesystem cannot be read.
     */
    public static DirectoryPages of(final Path directory)
    {
        try
        {
            final FileStore store = Files.getFileStore(directory);
            if ("hugetlbfs".equals(store.type()))
            {
                final long blockSize = store.getBlockSize();
                if (blockSize > 0 && blockSize <= Integer.MAX_VALUE && Long.bitCount(blockSize) == 1)
                {
                    return new DirectoryPages((int)blockSize, true, "hugetlbfs, " + (blockSize >> 10) + " KiB pages");
                }
            }
            if ("tmpfs".equals(store.type()) && isHugeTmpfs(directory.toRealPath()))
            {
                final int hugePageSize = transparentHugePageSize();
                return new DirectoryPages(hugePageSize, false, "tmpfs with transparent huge pages, " +
                    (hugePageSize >> 10) + " KiB");
            }
            return new DirectoryPages(SYSTEM_PAGE_SIZE, false, store.type() + ", " + (SYSTEM_PAGE_SIZE >> 10) +
                " KiB pages");
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return new DirectoryPages(SYSTEM_PAGE_SIZE, false, (SYSTEM_PAGE_SIZE >> 10) + " KiB pages");
        }
    }

    /**
     * The size a segment file there is rounded up to.
     *
     * @return bytes, a power of two.
     */
    public int pageSize()
    {
        return pageSize;
    }

    /**
     * Whether the directory is on hugetlbfs, whose files are reserved at mapping instead of by writing them.
     *
     * @return true on hugetlbfs.
     */
    public boolean isHugetlbfs()
    {
        return hugetlbfs;
    }

    /**
     * For {@code shmlink stat} and messages: the filesystem and its page size.
     *
     * @return for example "tmpfs, 4 KiB pages".
     */
    @Override
    public String toString()
    {
        return description;
    }

    /** Whether the tmpfs mount that holds {@code directory} gives its files transparent huge pages. */
    private static boolean isHugeTmpfs(final Path directory) throws IOException
    {
        String bestMount = "";
        boolean huge = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/mounts")))
        {
            final String[] fields = line.split(" ");
            if (fields.length < 4 || !"tmpfs".equals(fields[2]))
            {
                continue;
            }
            final String mountPoint = fields[1].replace("\\040", " ");
            if (isUnder(directory.toString(), mountPoint) && mountPoint.length() >= bestMount.length())
            {
                bestMount = mountPoint;
                huge = List.of(fields[3].split(",")).stream()
                    .anyMatch(option -> option.equals("huge=always") || option.equals("huge=within_size"));
            }
        }
        return huge;
    }

    private static boolean isUnder(final String path, final String mountPoint)
    {
        return path.equals(mountPoint) || "/".equals(mountPoint) || path.startsWith(mountPoint + "/");
    }

    /**
     * The size of the pages tmpfs uses for transparent huge pages: the PMD size, not {@code Hugepagesize} of
     * {@code /proc/meminfo}, which is hugetlbfs's default and may be 1 GiB.
     */
    private static int transparentHugePageSize()
    {
        try
        {
            final long bytes = Long.parseLong(Files.readString(THP_PMD_SIZE).trim());
            if (bytes > 0 && bytes <= (1 << 30) && Long.bitCount(bytes) == 1)
            {
                return (int)bytes;
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            // the usual size below
        }
        return DEFAULT_HUGE_PAGE_SIZE;
    }
}
