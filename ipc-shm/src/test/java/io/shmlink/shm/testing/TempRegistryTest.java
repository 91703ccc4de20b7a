package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

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

    private Path before(final TempRegistry extension) throws Exception
    {
        try
        {
            extension.beforeEach(PASSED);
        }
        finally
        {
            made.add(extension.directory());
        }
        return extension.directory();
    }

    @Test
    void theDirectoryIsAFreshOwnerOnlyDirectoryUnderDevShmDuringTheTestAndGoneAfter() throws Exception
    {
        final TempRegistry shm = TempRegistry.open(PREFIX);
        assertThrows(IllegalStateException.class, shm::directory, "no directory before the test");

        final Path dir = before(shm);
        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals(Path.of("/dev/shm"), dir.getParent());
        assertTrue(dir.getFileName().toString().startsWith(PREFIX), dir.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Files.createDirectories(dir.resolve("a").resolve("b"));
        Files.createFile(dir.resolve("a").resolve("b").resolve("file"));

        shm.afterEach(PASSED);

        assertGone(dir);
        assertThrows(IllegalStateException.class, shm::directory, "no directory after the test");
    }

    @Test
    void theRegistryIsOpenOnTheDirectoryDuringTheTestAndClosedAfter() throws Exception
    {
        final TempRegistry shm = TempRegistry.open(PREFIX);
        final Path dir = before(shm);
        final ShmRegistry registry = shm.registry();
        assertEquals(dir, registry.directory());
        assertEquals(dir.resolve("chan"), registry.create("chan", ChannelConfig.spsc(4096)).file());
        registry.publisher("chan");

        shm.afterEach(PASSED);

        assertClosed(registry);
        assertGone(dir);
        assertThrows(IllegalStateException.class, shm::registry, "no registry after the test");
    }

    @Test
    void eachTestHasItsOwnDirectoryAndRegistry() throws Exception
    {
        final TempRegistry shm = TempRegistry.open(PREFIX);
        final Path first = before(shm);
        final ShmRegistry firstRegistry = shm.registry();
        shm.afterEach(PASSED);

        final Path second = before(shm);
        assertFalse(first.equals(second), "a new directory");
        assertFalse(firstRegistry == shm.registry(), "a new registry");
        shm.registry().create("chan", ChannelConfig.spsc(4096));
        shm.afterEach(PASSED);
        assertGone(second);
    }

    @Test
    void everythingIsCleanedUpAfterAFailedTestToo() throws Exception
    {
        final TempRegistry shm = TempRegistry.open(PREFIX);
        final Path dir = before(shm);
        final ShmRegistry registry = shm.registry();
        registry.create("chan", ChannelConfig.spsc(4096));

        shm.afterEach(FAILED);

        assertClosed(registry);
        assertGone(dir);
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
        final Path dir = shm.directory();
        assertTrue(Files.isDirectory(dir));
        assertThrows(IllegalStateException.class, shm::registry);

        shm.afterEach(FAILED);

        assertGone(dir);
    }

    @Test
    void reopeningClosesTheRegistryAndTheNewOneIsClosedAfterTheTest() throws Exception
    {
        final TempRegistry shm = TempRegistry.open(PREFIX);
        final Path dir = before(shm);
        final ShmRegistry first = shm.registry();
        first.create("chan", ChannelConfig.spsc(4096));

        final ShmRegistry second = shm.reopen(new ShmRegistry.Options().cleanDebrisOnOpen(false));

        assertSame(second, shm.registry());
        assertEquals(dir, second.directory());
        assertClosed(first);
        second.publisher("chan");
        shm.afterEach(PASSED);
        assertClosed(second);
        assertGone(dir);
    }

    @Test
    void aDirectoryOnlyHasNoRegistryAndIsDeletedAfterTheTest() throws Exception
    {
        final TempRegistry shm = TempRegistry.directoryOnly(PREFIX);
        final Path dir = before(shm);
        assertTrue(Files.isDirectory(dir));
        final IllegalStateException none = assertThrows(IllegalStateException.class, shm::registry);
        assertTrue(none.getMessage().contains("directoryOnly"), none.getMessage());
        try (ShmRegistry own = ShmRegistry.open(dir))
        {
            own.create("chan", ChannelConfig.spsc(4096));
        }

        shm.afterEach(FAILED);

        assertGone(dir);
    }

    @Test
    void aDirectoryTheTestRemovedItselfIsNoFailure() throws Exception
    {
        final TempRegistry shm = TempRegistry.directoryOnly(PREFIX);
        final Path dir = before(shm);
        Files.delete(dir);

        shm.afterEach(PASSED);

        assertGone(dir);
    }

    @Test
    void aRegistryThatCannotBeClosedStillHasItsDirectoryDeletedAndItsFailureReported() throws Exception
    {
        final TempRegistry shm = TempRegistry.directoryOnly(PREFIX);
        final Path dir = before(shm);
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
        final TempRegistry shm = TempRegistry.directoryOnly(PREFIX);
        final Path dir = before(shm);
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
