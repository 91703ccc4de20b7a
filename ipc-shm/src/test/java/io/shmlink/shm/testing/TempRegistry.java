package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A JUnit 5 extension that gives each test a fresh directory under {@code /dev/shm} (see {@link ShmTestDirectory})
 * and, unless made by {@link #directoryOnly(String)}, a registry open on it. After each test, passed or failed, it
 * closes the registry and then deletes the directory, even when the close failed; the first failure is thrown
 * with any later one suppressed in it.
 * <pre>
 * &#64;RegisterExtension
 * final TempRegistry shm = TempRegistry.open("shmlink-my-test-");
 *
 * &#64;Test
 * void aTest()
 * {
 *     shm.registry().create("chan", ChannelConfig.spsc(4096));
 *     ... shm.directory().resolve("chan") ...
 * }
 * </pre>
 * Its callbacks run before the test class's {@code @BeforeEach} methods and after its {@code @AfterEach} methods,
 * so those may use the registry, and stop what uses the directory (child JVMs, mounts) before it is deleted.
 */
public final class TempRegistry implements BeforeEachCallback, AfterEachCallback
{
    private final String prefix;
    private final ShmRegistry.Options options;
    private final String channel;
    private final ChannelConfig channelConfig;
    private Path directory;
    private ShmRegistry registry;

    private TempRegistry(
        final String prefix, final ShmRegistry.Options options, final String channel, final ChannelConfig config)
    {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.options = options;
        this.channel = channel;
        this.channelConfig = config;
    }

    /**
     * A directory and a registry opened on it with the default options, as {@link ShmRegistry#open(Path)}.
     *
     * @param prefix of the directory's name.
     * @return the extension, to be registered with {@code @RegisterExtension}.
     */
    public static TempRegistry open(final String prefix)
    {
        return new TempRegistry(prefix, new ShmRegistry.Options(), null, null);
    }

    /**
     * A directory and a registry opened on it with these options.
     *
     * @param prefix  of the directory's name.
     * @param options of the registry, used for each test.
     * @return the extension, to be registered with {@code @RegisterExtension}.
     */
    public static TempRegistry open(final String prefix, final ShmRegistry.Options options)
    {
        return new TempRegistry(prefix, Objects.requireNonNull(options, "options"), null, null);
    }

    /**
     * A directory only, for tests that open registries themselves or none at all.
     *
     * @param prefix of the directory's name.
     * @return the extension, to be registered with {@code @RegisterExtension}.
     */
    public static TempRegistry directoryOnly(final String prefix)
    {
        return new TempRegistry(prefix, null, null, null);
    }

    /**
     * The same extension, which also creates a channel on each test's registry, before the test class's
     * {@code @BeforeEach} methods run: for the tests of one channel.
     * <pre>
     * &#64;RegisterExtension
     * final TempRegistry shm = TempRegistry.open("shmlink-my-test-").withChannel("chan", ChannelConfig.spsc(8192));
     * </pre>
     *
     * @param name   of the channel.
     * @param config of the channel.
     * @return a new extension, to be registered with {@code @RegisterExtension}.
     * @throws IllegalStateException if made by {@link #directoryOnly(String)}: there is no registry to create it in.
     */
    public TempRegistry withChannel(final String name, final ChannelConfig config)
    {
        if (options == null)
        {
            throw new IllegalStateException("made by directoryOnly: no registry to create channel " + name + " in");
        }
        return new TempRegistry(prefix, options, Objects.requireNonNull(name, "name"),
            Objects.requireNonNull(config, "config"));
    }

    /**
     * The current test's directory.
     *
     * @return the directory, which exists (mode 0700) until the test and its {@code @AfterEach} methods are over.
     * @throws IllegalStateException outside a test.
     */
    public Path directory()
    {
        if (directory == null)
        {
            throw new IllegalStateException("no directory outside a test: is the field annotated @RegisterExtension?");
        }
        return directory;
    }

    /**
     * The names of files in the current test's directory, as {@link ShmTestDirectory#names}.
     *
     * @param which the names to keep.
     * @return their names, sorted.
     * @throws IOException if the directory cannot be listed.
     */
    public List<String> fileNames(final Predicate<String> which) throws IOException
    {
        return ShmTestDirectory.names(directory(), which);
    }

    /**
     * The current test's registry.
     *
     * @return the registry open on {@link #directory()}, closed after the test.
     * @throws IllegalStateException outside a test, or if made by {@link #directoryOnly(String)}.
     */
    public ShmRegistry registry()
    {
        if (registry == null)
        {
            throw new IllegalStateException(options == null ?
                "made by directoryOnly: no registry" :
                "no registry outside a test: is the field annotated @RegisterExtension?");
        }
        return registry;
    }

    /**
     * The file of the channel {@link #withChannel} creates, in the current test's directory.
     *
     * @return the file, which the channel's {@code ChannelInfo.file()} names too.
     * @throws IllegalStateException outside a test, or if not made by {@link #withChannel}.
     */
    public Path channelFile()
    {
        if (channel == null)
        {
            throw new IllegalStateException("no channel: made without withChannel");
        }
        return directory().resolve(channel);
    }

    /**
     * Closes the current test's registry and opens another on the same directory, which becomes
     * {@link #registry()} and is closed after the test.
     *
     * @param options of the new registry.
     * @return the new registry.
     * @throws IllegalStateException outside a test, or if made by {@link #directoryOnly(String)}.
     */
    public ShmRegistry reopen(final ShmRegistry.Options options)
    {
        registry().close();
        registry = ShmRegistry.open(directory, options);
        return registry;
    }

    /**
     * Creates the directory, opens the registry and creates the channel, as far as this extension has them.
     *
     * @param context not used.
     * @throws Exception if any of them fails; {@link #afterEach(ExtensionContext)} still removes what was made.
     */
    @Override
    public void beforeEach(final ExtensionContext context) throws Exception
    {
        directory = ShmTestDirectory.create(prefix);
        if (options != null)
        {
            registry = ShmRegistry.open(directory, options);
        }
        if (channel != null)
        {
            registry.create(channel, channelConfig);
        }
    }

    /**
     * Closes the registry and deletes the directory, whether the test passed or failed.
     *
     * @param context not used.
     * @throws Exception the first failure, of the close or else of the deletion.
     */
    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        final ShmRegistry toClose = registry;
        final Path toDelete = directory;
        registry = null;
        directory = null;
        closeThenDelete(toClose, toDelete);
    }

    /**
     * Closes {@code resource}, then deletes {@code dir} (if it is still there) whether or not the close failed.
     *
     * @param resource to close first, or null.
     * @param dir      to delete with everything in it, or null.
     * @throws Exception the first failure, with the other one, if any, suppressed in it.
     */
    static void closeThenDelete(final AutoCloseable resource, final Path dir) throws Exception
    {
        Throwable failure = null;
        if (resource != null)
        {
            try
            {
                resource.close();
            }
            catch (final Exception | Error ex)
            {
                failure = ex;
            }
        }
        if (dir != null && Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            try
            {
                ShmTestDirectory.delete(dir);
            }
            catch (final Exception | Error ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
        if (failure != null)
        {
            throw (Exception)failure;
        }
    }
}
