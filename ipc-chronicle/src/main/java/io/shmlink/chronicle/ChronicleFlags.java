package io.shmlink.chronicle;

import io.shmlink.api.ShmLinkException;

/**
 * The JVM flags Chronicle Bytes needs on Java 17, checked before the first Chronicle class initialises, so that a
 * JVM started without them gets a {@link ShmLinkException} naming them rather than an
 * {@code ExceptionInInitializerError} or {@code IllegalAccessError} from deep inside Chronicle. Found by running
 * this module's tests without each in turn:
 * <ul>
 *   <li>{@code --add-opens java.base/java.lang.reflect}: Chronicle's core fails to initialise without it
 *       ({@code ClassUtil});</li>
 *   <li>{@code --add-exports java.base/sun.nio.ch}: Chronicle's {@code OS} class, which every bytes store reaches,
 *       fails to initialise without it ({@code IllegalAccessError} on {@code FileChannelImpl});</li>
 *   <li>{@code --add-exports java.base/jdk.internal.ref}: how Chronicle frees direct memory; without it, only a
 *       warning at start-up (this module allocates no Chronicle memory), so it is named but not required.</li>
 * </ul>
 */
final class ChronicleFlags
{
    /** Every flag, for the class path (Chronicle in the unnamed module). */
    static final String CLASS_PATH_FLAGS = "--add-opens java.base/java.lang.reflect=ALL-UNNAMED " +
        "--add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-exports java.base/jdk.internal.ref=ALL-UNNAMED";

    private static final String CHRONICLE_CORE = "net.openhft.chronicle.core.Jvm";

    private static volatile boolean verified;

    private ChronicleFlags()
    {
    }

    /**
     * Makes sure the flags Chronicle cannot start without are given.
     *
     * @throws ShmLinkException naming the flags if not.
     */
    static void verify()
    {
        if (verified)
        {
            return;
        }
        final Module chronicle;
        try
        {
            chronicle = Class.forName(CHRONICLE_CORE, false, ChronicleFlags.class.getClassLoader()).getModule();
        }
        catch (final ClassNotFoundException ex)
        {
            throw new ShmLinkException("Chronicle Core (" + CHRONICLE_CORE + ") is not on the class path or " +
                "module path; ipc-chronicle needs chronicle-bytes and what it depends on", ex);
        }
        final Module base = Object.class.getModule();
        if (!base.isOpen("java.lang.reflect", chronicle) || !base.isExported("sun.nio.ch", chronicle))
        {
            final String target = chronicle.isNamed() ? chronicle.getName() : "ALL-UNNAMED";
            throw new ShmLinkException("ipc-chronicle needs JVM flags for Chronicle Bytes on Java 17: start java " +
                "with " + CLASS_PATH_FLAGS.replace("ALL-UNNAMED", target) + " (besides ShmLink's own " +
                "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED)");
        }
        verified = true;
    }
}
