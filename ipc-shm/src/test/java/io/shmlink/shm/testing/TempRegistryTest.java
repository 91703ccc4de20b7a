package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TempRegistry}'s callbacks, called as JUnit calls them around a test (the JUnit Platform's test kit is not
 * on this module's classpath, so no nested engine runs here). The contexts passed answer nothing but the test's
 * outcome: the extension must not need anything else from them.
 */
class TempRegistryTest
{
    private static final String PREFIX = "shmlink-temp-registry-test-";
    private static final ExtensionContext PASSED = context(null);
    private static final ExtensionContext FAILED = context(new AssertionError("the test failed"));

    private final List<Path> made = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException
    {
        for (final Path dir : made)
        {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
            {
                ShmTestDirectory.delete(dir);
            }
        }
    }

    /** A context whose test ended with {@code failure} (passed if null); any other question fails. */
    private static ExtensionContext context(final Throwable failure)
    {
        return (ExtensionContext)Proxy.newProxyInstance(TempRegistryTest.class.getClassLoader(),
            new Class<?>[] {ExtensionContext.class}, (proxy, method, args) ->
            {
                if ("getExecutionException".equals(method.getName()))
                {
                    return Optional.ofNullable(failure);
                }
                throw new UnsupportedOperationException("TempRegistry asked its context for " + method.getName());
            });
    }

    private static void assertGone(final Path dir)
    {
        assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS), () -> dir + " is left behind");
    }

    private static void assertClosed(final ShmRegistry registry)
    {
        final ShmLinkException closed = assertThrows(ShmLinkException.class, () -> registry.subscriber("chan"));
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
    }

    /** Runs the extension's before-each callback as JUnit would before a test; the directory is deleted after. */
    private TempRegistry before(final TempRegistry extension) throws Exception
    {
        try
        {
            extension.beforeEach(PASSED);
        }
        finally
        {
            made.add(extension.directory());
        }
        return extension;
    }

    /**
     * Runs the extension's after-each callback as JUnit would after a test that ended so, and asserts that the
     * test's directory is gone.
     */
    private static void afterEachDeletes(final TempRegistry extension, final ExtensionContext outcome) throws Exception
    {
        final Path dir = extension.directory();
        extension.afterEach(outcome);
        assertGone(dir);
    }

    @Test
    void theDirectoryIsAFreshOwnerOnlyDirectoryUnderDevShmDuringTheTestAndGoneAfter() throws Exception
    {
        final TempRegistry shm = TempRegistry.open(PREFIX);
        assertThrows(IllegalStateException.class, shm::directory, "no directory before the test");

        final Path dir = before(shm).directory();
        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals(Path.of("/dev/shm"), dir.getParent());
        assertTrue(dir.getFileName().toString().startsWith(PREFIX), dir.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Files.createDirectories(dir.resolve("a").resolve("b"));
        Files.createFile(dir.resolve("a").resolve("b").resolve("file"));

        afterEachDeletes(shm, PASSED);

        assertThrows(IllegalStateException.class, shm::directory, "no directory after the test");
    }

    @ParameterizedTest(name = "after a test that {0}")
    @ValueSource(strings = {"passed", "failed"})
    void theRegistryIsOpenOnTheDirectoryDuringTheTestAndClosedAfterItWhetherItPassedOrFailed(final String outcome)
        throws Exception
    {
        final TempRegistry shm = before(TempRegistry.open(PREFIX));
        final ShmRegistry registry = shm.registry();
        assertEquals(shm.directory(), registry.directory());
        assertEquals(shm.directory().resolve("chan"), registry.create("chan", ChannelConfig.spsc(4096)).file());
        registry.publisher("chan");

        afterEachDeletes(shm, "passed".equals(outcome) ? PASSED : FAILED);

        assertClosed(registry);
        assertThrows(IllegalStateException.class, shm::registry, "no registry after the test");
    }

    @Test
    void eachTestHasItsOwnDirectoryAndRegistry() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.open(PREFIX));
        final Path first = shm.directory();
        final ShmRegistry firstRegistry = shm.registry();
        shm.afterEach(PASSED);

        before(shm);
        assertFalse(first.equals(shm.directory()), "a new directory");
        assertFalse(firstRegistry == shm.registry(), "a new registry");
        shm.registry().create("chan", ChannelConfig.spsc(4096));
        afterEachDeletes(shm, PASSED);
    }

    @Test
    void theOptionsAreThoseOfTheRegistryAndADirectoryWhoseRegistryCannotOpenIsDeletedAfterwards() throws Exception
    {
        final Path probe = Files.createTempFile(Path.of("/dev/shm"), "shmlink-temp-registry-group-", "");
        final String ownGroup;
        try
        {
            ownGroup = Files.readAttributes(probe, PosixFileAttributes.class).group().getName();
        }
        finally
        {
            Files.delete(probe);
        }
        // sharing with a group needs mode 0770: the fresh directory's 0700 is refused, so the options were used
        final TempRegistry shm = TempRegistry.open(PREFIX,
            new ShmRegistry.Options().shareWithGroup(ownGroup));

        final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> before(shm));
        assertTrue(refused.getMessage().contains("its mode is not 0770"), refused.getMessage());
        assertTrue(Files.isDirectory(shm.directory()));
        assertThrows(IllegalStateException.class, shm::registry);

        afterEachDeletes(shm, FAILED);
    }

    @Test
    void reopeningClosesTheRegistryAndTheNewOneIsClosedAfterTheTest() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.open(PREFIX));
        final ShmRegistry first = shm.registry();
        first.create("chan", ChannelConfig.spsc(4096));

        final ShmRegistry second = shm.reopen(new ShmRegistry.Options().cleanDebrisOnOpen(false));

        assertSame(second, shm.registry());
        assertEquals(shm.directory(), second.directory());
        assertClosed(first);
        second.publisher("chan");
        afterEachDeletes(shm, PASSED);
        assertClosed(second);
    }

    @Test
    void withAChannelTheRegistryHasItBeforeTheTestAndItsFileIsNamed() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.open(PREFIX).withChannel("chan", ChannelConfig.mpsc(8192)));
        final ChannelInfo info = shm.registry().lookup("chan").orElseThrow();
        assertEquals(ChannelMode.MPSC, info.mode());
        assertEquals(8192, info.capacity());
        assertEquals(info.file(), shm.channelFile());
        assertEquals(shm.directory().resolve("chan"), shm.channelFile());

        afterEachDeletes(shm, PASSED);
    }

    @Test
    void aDirectoryOnlyCannotHaveAChannelAndOneWithoutAChannelNamesNoFile() throws Exception
    {
        assertThrows(IllegalStateException.class,
            () -> TempRegistry.directoryOnly(PREFIX).withChannel("chan", ChannelConfig.spsc(4096)));
        final TempRegistry shm = before(TempRegistry.open(PREFIX));
        assertThrows(IllegalStateException.class, shm::channelFile);

        afterEachDeletes(shm, PASSED);
    }

    @Test
    void aDirectoryOnlyHasNoRegistryAndIsDeletedAfterTheTest() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.directoryOnly(PREFIX));
        assertTrue(Files.isDirectory(shm.directory()));
        final IllegalStateException none = assertThrows(IllegalStateException.class, shm::registry);
        assertTrue(none.getMessage().contains("directoryOnly"), none.getMessage());
        try (ShmRegistry own = ShmRegistry.open(shm.directory()))
        {
            own.create("chan", ChannelConfig.spsc(4096));
        }

        afterEachDeletes(shm, FAILED);
    }

    @Test
    void aDirectoryTheTestRemovedItselfIsNoFailure() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.directoryOnly(PREFIX));
        Files.delete(shm.directory());

        afterEachDeletes(shm, PASSED);
    }

    @Test
    void aRegistryThatCannotBeClosedStillHasItsDirectoryDeletedAndItsFailureReported() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.directoryOnly(PREFIX));
        final Path dir = shm.directory();
        Files.createFile(dir.resolve("file"));
        final IllegalStateException closeFailure = new IllegalStateException("cannot close");

        final IllegalStateException reported = assertThrows(IllegalStateException.class,
            () -> TempRegistry.closeThenDelete(() ->
            {
                throw closeFailure;
            }, dir));

        assertSame(closeFailure, reported, "the close's own failure");
        assertGone(dir);
        shm.afterEach(PASSED); // the directory is gone already: nothing to do, nothing to report
    }

    @Test
    void anErrorFromTheCloseIsReportedAsItIs() throws Exception
    {
        final TempRegistry shm = before(TempRegistry.directoryOnly(PREFIX));
        final Path dir = shm.directory();
        final AssertionError closeFailure = new AssertionError("close asserted");

        final AssertionError reported = assertThrows(AssertionError.class,
            () -> TempRegistry.closeThenDelete(() ->
            {
                throw closeFailure;
            }, dir));

        assertSame(closeFailure, reported);
        assertGone(dir);
        shm.afterEach(PASSED);
    }
}
