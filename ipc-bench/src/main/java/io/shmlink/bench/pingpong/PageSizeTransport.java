package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelMode;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.segment.DirectoryPages;
import org.agrona.IoUtil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code shmlink-spsc} with 1 GiB rings, on the system's pages ({@code shmlink-spsc-1g}, in the run's directory under
 * {@code /dev/shm}) or on huge pages ({@code shmlink-spsc-1g-huge}, in the directory {@value #HUGE_DIRECTORY_PROPERTY}
 * names: a tmpfs mounted {@code huge=always} or a hugetlbfs). Run side by side, the two show what the page size costs
 * a ring that is far larger than the TLB covers with 4 KiB pages (1 GiB is 262,144 of them, 512 of 2 MiB):
 * <pre>{@code
 * mount -t tmpfs -o huge=always,size=4g tmpfs /mnt/shm-huge
 * java -Dpingpong.huge.dir=/mnt/shm-huge -jar ipc-bench/target/benchmarks.jar \
 *     --transports shmlink-spsc-1g,shmlink-spsc-1g-huge
 * }</pre>
 * Everything else is {@link ShmLinkTransport}'s: the same pinger, echo and sink, sending by offer and by claim.
 */
public final class PageSizeTransport extends NamedTransport
{
    /** The system property naming the huge-page directory; passed on to the echo child. */
    public static final String HUGE_DIRECTORY_PROPERTY = "pingpong.huge.dir";

    /** Each ring's capacity: 1 GiB. */
    static final int RING_CAPACITY = 1 << 30;

    private final ShmLinkTransport spsc = new ShmLinkTransport(ChannelMode.SPSC);
    private final Path hugeDirectory;
    /** The huge-page registry directory this instance made, deleted by {@link #close()} or, on Ctrl-C, by a hook. */
    private Path made;
    /** Deletes {@link #made} if the JVM ends before {@link #close()}: it is outside the run's directory. */
    private Thread deleteOnExit;

    private PageSizeTransport(final Path hugeDirectory)
    {
        super(hugeDirectory == null ? "shmlink-spsc-1g" : "shmlink-spsc-1g-huge", ThroughputModes.OFFER_AND_CLAIM);
        this.hugeDirectory = hugeDirectory;
    }

    /**
     * @return the transport on the system's pages, in the run's directory.
     */
    static Transport systemPages()
    {
        return new PageSizeTransport(null);
    }

    /**
     * @return the transport on huge pages, in the directory {@value #HUGE_DIRECTORY_PROPERTY} names.
     * @throws IllegalArgumentException if the property is not set, or names a directory without huge pages.
     */
    static Transport hugePages()
    {
        final String directory = System.getProperty(HUGE_DIRECTORY_PROPERTY);
        if (directory == null || directory.isBlank())
        {
            throw new IllegalArgumentException("shmlink-spsc-1g-huge needs -D" + HUGE_DIRECTORY_PROPERTY + "=DIR, a " +
                "directory on a tmpfs mounted huge=always (mount -t tmpfs -o huge=always,size=4g tmpfs DIR, as " +
                "root) or on a hugetlbfs");
        }
        final Path root = Path.of(directory).toAbsolutePath();
        final DirectoryPages pages = DirectoryPages.of(root);
        if (pages.pageSize() <= 4096)
        {
            throw new IllegalArgumentException(HUGE_DIRECTORY_PROPERTY + "=" + root + " gives no huge pages (" + pages +
                "): mount a tmpfs with huge=always there, or a hugetlbfs");
        }
        return new PageSizeTransport(root);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        final LinkSpec on = on(link);
        return "two ShmLink SPSC channels of 1 GiB, offer + poll, in " + on.directory().getParent() + " (" +
            DirectoryPages.of(on.directory().getParent()) + ")";
    }

    @Override
    public List<String> childJvmFlags()
    {
        return hugeDirectory == null ? List.of() : List.of("-D" + HUGE_DIRECTORY_PROPERTY + "=" + hugeDirectory);
    }

    @Override
    public void create(final LinkSpec link)
    {
        final LinkSpec on = on(link);
        if (hugeDirectory != null)
        {
            made = on.directory();
            final Path directory = made;
            deleteOnExit = new Thread(() -> IoUtil.delete(directory.toFile(), true), "delete-" + name());
            Runtime.getRuntime().addShutdownHook(deleteOnExit);
        }
        ShmLinkTransport.createPingPong(on, ChannelMode.SPSC, RING_CAPACITY);
        try (ShmRegistry registry = ShmRegistry.open(on.directory()))
        {
            if (hugeDirectory != null && registry.pages().pageSize() <= 4096)
            {
                throw new IllegalStateException(on.directory() + " gives no huge pages: " + registry.pages());
            }
        }
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return spsc.openPinger(on(link), watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return spsc.openEcho(on(link));
    }

    /**
     * The link in the huge-page directory: a registry directory named after the run's, which both JVMs derive
     * alike.
     */
    private LinkSpec on(final LinkSpec link)
    {
        if (hugeDirectory == null)
        {
            return link;
        }
        final Path directory = hugeDirectory.resolve(
            link.directory().getParent().getFileName() + "-" + link.directory().getFileName());
        return new LinkSpec(directory, link.messageLength(), link.throughput(), link.index());
    }

    @Override
    public void close()
    {
        if (made != null && Files.exists(made))
        {
            IoUtil.delete(made.toFile(), true);
        }
        made = null;
        if (deleteOnExit != null)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(deleteOnExit);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook runs, or has run, anyway
            }
            deleteOnExit = null;
        }
    }
}
