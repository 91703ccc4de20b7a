package io.shmlink.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the built {@code shmlink.jar} (or the {@code bin/shmlink} launcher) as a separate process, the way users
 * run it, and collects its exit code and output.
 */
final class ShmLinkProcess
{
    /** Far above the second or so a run takes, so that only a hung process hits it. */
    static final long TIMEOUT_SECONDS = 60;

    /** Lighter child JVMs on a shared 2-core machine; none of these affects what the jar needs to run. */
    private static final List<String> JVM_FLAGS =
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto");

    private ShmLinkProcess()
    {
    }

    /**
     * What a finished run printed and returned.
     *
     * @param exitCode the process's exit code.
     * @param out      what it printed on standard output.
     * @param err      what it printed on standard error.
     */
    record Result(int exitCode, String out, String err)
    {
        @Override
        public String toString()
        {
            return "exit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    static Path jar()
    {
        return pathProperty("shmlink.jar");
    }

    static Path launcher()
    {
        return pathProperty("shmlink.launcher");
    }

    static Path java()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** {@code java -jar shmlink.jar ARGS}: no --add-opens, the jar's manifest must provide it. */
    static List<String> command(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(java().toString());
        command.addAll(JVM_FLAGS);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(Arrays.asList(args));
        return command;
    }

    static Result run(final String... args)
    {
        return run(command(args), Map.of());
    }

    /**
     * Runs a command to completion, killing it after {@link #TIMEOUT_SECONDS}. Output goes to files rather than
     * pipes, so a chatty child can never block on a full pipe while we wait for it.
     */
    static Result run(final List<String> command, final Map<String, String> environment)
    {
        Path out = null;
        Path err = null;
        try
        {
            out = Files.createTempFile("shmlink-it-", ".out");
            err = Files.createTempFile("shmlink-it-", ".err");
            final Process process = builder(command, environment)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                fail("timed out after " + TIMEOUT_SECONDS + " s: " + command + "\n--- stdout ---\n" +
                    Files.readString(out) + "--- stderr ---\n" + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new AssertionError("cannot run " + command, ex);
        }
        finally
        {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /**
     * A process builder whose child does not inherit this JVM's SHMLINK_DIR, so that only what a test passes
     * decides the registry directory.
     */
    static ProcessBuilder builder(final List<String> command, final Map<String, String> environment)
    {
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("SHMLINK_DIR");
        builder.environment().putAll(environment);
        return builder;
    }

    static String utf8(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Path pathProperty(final String name)
    {
        final String value = System.getProperty(name);
        assertTrue(value != null && !value.isEmpty(),
            "system property " + name + " is not set: run the *IT tests through maven-failsafe-plugin");
        final Path path = Path.of(value).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(path), name + " " + path + " does not exist: run mvn verify (package first)");
        return path;
    }

    private static void deleteQuietly(final Path file)
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignored)
            {
                // a temp file: the OS reclaims it
            }
        }
    }
}
