package io.shmlink.bench.pingpong;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * What Chronicle Queue needs from the JVM on Java 17, and how {@link ChronicleTransport} opens its queues.
 * <p>
 * <b>Flags.</b> Chronicle reaches into the JDK. These three are the ones it needs here (found by removing each
 * from the set Chronicle documents and running a queue; the harness itself already adds
 * {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED} for Agrona):
 * <ul>
 *   <li>{@code --add-opens java.base/java.lang.reflect=ALL-UNNAMED}: without it Chronicle's core fails to
 *       initialise ({@code ExceptionInInitializerError} in {@code ClassUtil}); with it, Chronicle makes its own
 *       reflective access, which is why the other {@code --add-opens} of Chronicle's list change nothing here;</li>
 *   <li>{@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}: Chronicle maps its files through
 *       {@code sun.nio.ch.FileChannelImpl}; without it, {@code IllegalAccessError};</li>
 *   <li>{@code --add-exports java.base/jdk.internal.ref=ALL-UNNAMED}: how Chronicle frees its direct memory and
 *       mappings on close; without it, a warning and leaked mappings until GC.</li>
 * </ul>
 * The echo child gets them on its command line ({@link Transport#childJvmFlags()}), the benchmark jar in its
 * manifest ({@code Add-Opens}, {@code Add-Exports}), the tests in Surefire's {@code argLine}. A JVM started
 * without them is refused with the list ({@link #requireAccess()}) rather than with Chronicle's stack trace.
 * <p>
 * <b>Quiet.</b> Chronicle announces itself on start-up and reports usage statistics over the network unless told
 * not to; it also starts a thread that polls the free space of every queue's file system. {@link #quiet()} turns
 * all three off: none of them is part of moving a message, and on a two-core host a thread that wakes up takes a
 * core from the pair being measured.
 */
final class ChronicleSetup
{
    /** The flags of the class comment, one element each. */
    static final List<String> JVM_FLAGS = List.of(
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");

    private static final List<String> QUIET_PROPERTIES = List.of(
        "chronicle.analytics.disable", "chronicle.announcer.disable", "chronicle.disk.monitor.disable");

    private ChronicleSetup()
    {
    }

    /**
     * Sets the system properties that silence Chronicle, unless already set: before any Chronicle class
     * initialises, since Chronicle reads them once.
     */
    static void quiet()
    {
        for (final String property : QUIET_PROPERTIES)
        {
            if (System.getProperty(property) == null)
            {
                System.setProperty(property, "true");
            }
        }
    }

    /**
     * Fails with the flags to add if this JVM was started without them: before any Chronicle class initialises.
     *
     * @throws IllegalStateException naming the flags.
     */
    static void requireAccess()
    {
        final Module base = Object.class.getModule();
        final Module self = ChronicleSetup.class.getModule();
        if (!base.isOpen("java.lang.reflect", self) || !base.isExported("sun.nio.ch", self) ||
            !base.isExported("jdk.internal.ref", self))
        {
            throw new IllegalStateException("the chronicle transport needs these JVM flags: " +
                String.join(" ", JVM_FLAGS) + " (java -jar benchmarks.jar adds them from its manifest)");
        }
    }

    /**
     * @return Chronicle Queue's version, from the Maven metadata its jar carries (kept in the benchmark jar), or
     * "?" if absent.
     */
    static String version()
    {
        try (InputStream in = ChronicleQueue.class.getResourceAsStream(
            "/META-INF/maven/net.openhft/chronicle-queue/pom.properties"))
        {
            if (in == null)
            {
                return "?";
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "?");
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }

    /**
     * Opens, or creates, a queue.
     *
     * @param directory the queue's directory.
     * @return the queue, default roll cycle (daily), binary wire.
     */
    static ChronicleQueue open(final Path directory)
    {
        return SingleChronicleQueueBuilder.binary(directory).build();
    }
}
