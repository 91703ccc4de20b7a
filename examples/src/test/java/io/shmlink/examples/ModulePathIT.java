package io.shmlink.examples;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The library as a user of the module path meets it: the built jars of ipc-api and ipc-shm, with Agrona, under
 * their {@code Automatic-Module-Name}s, required by a small named module compiled here and run in a child JVM;
 * and the missing {@code --add-opens} flag named in the exception, on the module path and on the class path.
 */
class ModulePathIT
{
    private static final String MODULE_INFO =
        "module probe { requires io.shmlink.api; requires io.shmlink.shm; requires org.agrona; }\n";

    private static final String MAIN =
        "package probe;\n" +
        "import io.shmlink.api.ChannelConfig;\n" +
        "import io.shmlink.shm.ShmRegistry;\n" +
        "import org.agrona.concurrent.UnsafeBuffer;\n" +
        "public final class Main {\n" +
        "    public static void main(final String[] args) {\n" +
        "        try (ShmRegistry registry = ShmRegistry.open(java.nio.file.Path.of(args[0]))) {\n" +
        "            registry.create(\"probe\", ChannelConfig.spsc(4096));\n" +
        "            final var subscriber = registry.subscriber(\"probe\");\n" +
        "            final var publisher = registry.publisher(\"probe\");\n" +
        "            final UnsafeBuffer message = new UnsafeBuffer(new byte[4]);\n" +
        "            message.putInt(0, 4242);\n" +
        "            if (publisher.offer(message, 0, 4) < 0) throw new IllegalStateException(\"offer failed\");\n" +
        "            subscriber.poll((buffer, offset, length) ->\n" +
        "                System.out.println(\"received \" + buffer.getInt(offset)), 1);\n" +
        "        }\n" +
        "    }\n" +
        "}\n";

    @TempDir
    Path work;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-module-path-it-");

    @Test
    void theJarsCarryTheirModuleNames() throws IOException
    {
        assertEquals("io.shmlink.api", automaticModuleName(jarOf(ChannelConfig.class)));
        assertEquals("io.shmlink.shm", automaticModuleName(jarOf(ShmRegistry.class)));
        assertEquals("io.shmlink.examples", automaticModuleName(examplesJar()));
    }

    @Test
    void aNamedModuleUsesTheLibraryOnTheModulePathWithTheModulePathFlag() throws IOException, InterruptedException
    {
        final Result result = run(List.of("--add-opens", "java.base/jdk.internal.misc=org.agrona",
            "--module-path", modulePath(compileProbe()), "-m", "probe/probe.Main", shm.directory().toString()));

        assertEquals(0, result.exitCode, result::toString);
        assertEquals("received 4242", result.out.strip(), result::toString);
    }

    @Test
    void withoutTheFlagOnTheModulePathTheExceptionNamesTheModulePathFlag() throws IOException, InterruptedException
    {
        final Result result = run(List.of(
            "--module-path", modulePath(compileProbe()), "-m", "probe/probe.Main", shm.directory().toString()));

        assertNotEquals(0, result.exitCode, result::toString);
        // the exception the user sees first, not the raw IllegalAccessError (which stays as its cause)
        assertTrue(result.err.startsWith(
            "Exception in thread \"main\" io.shmlink.api.ShmLinkException: ShmLink needs a JVM flag"),
            result::toString);
        assertTrue(result.err.contains("start java with --add-opens java.base/jdk.internal.misc=org.agrona "),
            result::toString);
    }

    @Test
    void withoutTheFlagOnTheClassPathTheExceptionNamesTheClassPathFlag() throws IOException, InterruptedException
    {
        final Result result = run(List.of(
            "-cp", modulePath(compileProbe()), "probe.Main", shm.directory().toString()));

        assertNotEquals(0, result.exitCode, result::toString);
        assertTrue(result.err.contains("start java with --add-opens java.base/jdk.internal.misc=ALL-UNNAMED "),
            result::toString);
        assertTrue(result.err.contains("on the module path it is --add-opens java.base/jdk.internal.misc=org.agrona"),
            result::toString);
    }

    private Path compileProbe() throws IOException
    {
        final Path sources = work.resolve("src");
        Files.createDirectories(sources.resolve("probe"));
        final Path moduleInfo = Files.writeString(sources.resolve("module-info.java"), MODULE_INFO);
        final Path main = Files.writeString(sources.resolve("probe").resolve("Main.java"), MAIN);
        final Path classes = work.resolve("classes");
        final String modulePath = jarOf(ChannelConfig.class) + File.pathSeparator + jarOf(ShmRegistry.class) +
            File.pathSeparator + jarOf(DirectBuffer.class);
        final int status = ToolProvider.getSystemJavaCompiler().run(null, null, null,
            "-d", classes.toString(), "--module-path", modulePath, moduleInfo.toString(), main.toString());
        assertEquals(0, status, "the probe module did not compile against the jars' module names");
        return classes;
    }

    private static String modulePath(final Path probeClasses)
    {
        return String.join(File.pathSeparator, jarOf(ChannelConfig.class).toString(),
            jarOf(ShmRegistry.class).toString(), jarOf(DirectBuffer.class).toString(), probeClasses.toString());
    }

    /** The jar a class was loaded from: in a reactor build after package, the module's own built jar. */
    private static Path jarOf(final Class<?> type)
    {
        try
        {
            final Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertTrue(Files.isRegularFile(location) && location.toString().endsWith(".jar"),
                type.getName() + " was loaded from " + location + ", not a jar: run through mvn verify");
            return location;
        }
        catch (final URISyntaxException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static Path examplesJar()
    {
        final String value = System.getProperty("shmlink.examples.jar");
        assertTrue(value != null && Files.isRegularFile(Path.of(value)),
            "shmlink.examples.jar " + value + " is missing: run the *IT tests through maven-failsafe-plugin");
        return Path.of(value);
    }

    private static String automaticModuleName(final Path jar) throws IOException
    {
        try (JarFile file = new JarFile(jar.toFile()))
        {
            return file.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
        }
    }

    private Result run(final List<String> arguments) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(arguments);
        final Path out = work.resolve("out.txt");
        final Path err = work.resolve("err.txt");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            fail("timed out: " + command);
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err), command);
    }

    private record Result(int exitCode, String out, String err, List<String> command)
    {
        @Override
        public String toString()
        {
            return command + "\nexit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }
}
