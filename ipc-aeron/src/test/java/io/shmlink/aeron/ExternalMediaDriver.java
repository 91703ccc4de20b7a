package io.shmlink.aeron;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A JUnit 5 extension for tests of bridges that share an external media driver, as several bridges started with
 * {@code --aeron-dir} do. Before each test it makes a registry (a {@link TempRegistry}), launches a media driver
 * of the test's own in the registry's directory, and connects an Aeron client to it: the far side, whose
 * subscriptions the test polls (or does not) itself. After each test it closes what the test handed to
 * {@link #closing}, last first, then the far side, the driver and the registry, deletes the directory, and fails
 * the test if the far side's client reported an error.
 * <pre>
 * &#64;RegisterExtension
 * final ExternalMediaDriver aeron = new ExternalMediaDriver("aeron-my-test-");
 * ...
 * AeronBridge.outbound(aeron.registry(), "chan", uri, stream, aeron.bridgeOptions())
 * </pre>
 */
final class ExternalMediaDriver implements BeforeEachCallback, AfterEachCallback
{
    private final TempRegistry shm;
    private final Closer closer = new Closer();
    private final List<Throwable> farSideErrors = new CopyOnWriteArrayList<>();
    private MediaDriver driver;
    private Aeron farSide;

    /**
     * @param prefix of the registry directory's name.
     */
    ExternalMediaDriver(final String prefix)
    {
        shm = TempRegistry.open(prefix);
    }

    /**
     * @return the current test's registry, whose directory holds the driver's.
     */
    ShmRegistry registry()
    {
        return shm.registry();
    }

    /**
     * @return the far side: an Aeron client of the test's own on the driver.
     */
    Aeron farSide()
    {
        return farSide;
    }

    /**
     * @return the driver's directory, where {@link BridgeCounters#read} finds the bridges' counters.
     */
    Path aeronDirectory()
    {
        return Path.of(driver.aeronDirectoryName());
    }

    /**
     * @return options that make a bridge use this driver instead of embedding one.
     */
    AeronBridge.Options bridgeOptions()
    {
        return new AeronBridge.Options().aeronDir(aeronDirectory());
    }

    /**
     * Starts an outbound bridge on this driver, closed after the test.
     *
     * @param channel the local channel, in {@link #registry()}.
     * @param uri     where the bridge sends.
     * @param stream  its Aeron stream.
     * @return the running bridge.
     */
    AeronBridge outbound(final String channel, final String uri, final int stream)
    {
        return closing(AeronBridge.outbound(registry(), channel, uri, stream, bridgeOptions()));
    }

    /**
     * Adds a far-side subscription, closed after the test.
     *
     * @param uri    what it subscribes to.
     * @param stream its Aeron stream.
     * @return the subscription, which only the test polls.
     */
    Subscription farSubscription(final String uri, final int stream)
    {
        return closing(farSide.addSubscription(uri, stream));
    }

    /**
     * Closes something after the test, before the far side and the driver; the last handed over is closed first.
     *
     * @param closeable a bridge, publication, subscription, publisher...
     * @param <T>       its type.
     * @return the same closeable.
     */
    <T extends AutoCloseable> T closing(final T closeable)
    {
        return closer.closing(closeable);
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws Exception
    {
        shm.beforeEach(context);
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(shm.directory().resolve("driver").toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED));
        farSide = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
            .errorHandler(farSideErrors::add));
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        try
        {
            closer.closeAll();
            CloseHelper.closeAll(farSide, driver);
        }
        finally
        {
            shm.afterEach(context);
        }
        assertEquals(List.of(), farSideErrors, "errors of the far side's Aeron client");
    }
}
