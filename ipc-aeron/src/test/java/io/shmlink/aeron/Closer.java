package io.shmlink.aeron;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * A JUnit 5 extension that closes what a test handed it, the last first, as soon as the test method returns or
 * throws: before any {@code @AfterEach} method and any extension's after-each callback, so bridges, publishers and
 * subscribers are closed before a {@link io.shmlink.shm.testing.TempRegistry} closes their registry.
 */
final class Closer implements AfterTestExecutionCallback
{
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /**
     * Closes something after the test.
     *
     * @param closeable a bridge, publisher, subscriber...
     * @param <T>       its type.
     * @return the same closeable.
     */
    <T extends AutoCloseable> T closing(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    /**
     * Closes everything handed over so far, the last first, and forgets it.
     *
     * @throws Exception the first close that failed.
     */
    void closeAll() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.remove(i).close();
        }
    }

    @Override
    public void afterTestExecution(final ExtensionContext context) throws Exception
    {
        closeAll();
    }
}
