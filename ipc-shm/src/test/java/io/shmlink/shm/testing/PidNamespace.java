package io.shmlink.shm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs in a PID namespace of their own, as in a container that shares {@code /dev/shm} with the host: run
 * by {@code unshare --pid --fork --mount-proc --kill-child}, so the child JVM is pid 1 of a new namespace with its
 * own {@code /proc}, and dies with the {@code unshare} process. Needs root (or user namespaces) and util-linux.
 */
public final class PidNamespace
{
    /** The launcher every child is started under. */
    public static final List<String> UNSHARE = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");

    /**
     * The JVM options of every child in a namespace: no performance-data file. HotSpot names that file
     * {@code /tmp/hsperfdata_<user>/<pid>}, and every such child is pid 1 in a {@code /tmp} shared with the others:
     * a child started while another still holds {@code .../1} prints a warning as its first line of output.
     */
    public static final List<String> JVM_OPTIONS = List.of("-XX:-UsePerfData");

    private PidNamespace()
    {
    }

    /**
     * Why children cannot be put in a namespace of their own here, if they cannot: {@code unshare} is missing, or
     * refuses (not root, or a sandbox that forbids namespaces).
     *
     * @return null if they can, else the reason, for a skipped test to show.
     */
    public static String unavailableBecause()
    {
        final List<String> command = new ArrayList<>(UNSHARE);
        command.addAll(List.of("readlink", "/proc/self/ns/pid"));
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "'" + String.join(" ", command) + "' did not finish within 30 s";
            }
            if (process.exitValue() != 0)
            {
                return "'" + String.join(" ", command) + "' failed (exit " + process.exitValue() + "): " + output;
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "unshare (util-linux) cannot be run: " + ex;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted while trying unshare";
        }
    }

    /**
     * Starts {@code main} of a class in a new JVM in a new PID namespace.
     *
     * @param main the class whose main runs.
     * @param args its arguments.
     * @return the running child; its {@link ChildJvm#pid()} is {@code unshare}'s.
     * @throws IOException if it cannot start.
     */
    public static ChildJvm start(final Class<?> main, final String... args) throws IOException
    {
        return ChildJvm.startUnder(UNSHARE, JVM_OPTIONS, main, args);
    }

    /**
     * Kills the JVM inside the namespace with SIGKILL, as {@code kill -9} from the host would, and waits until it
     * and its {@code unshare} are gone.
     *
     * @param child a child from {@link #start}.
     * @throws Exception if the JVM cannot be found or does not die.
     */
    public static void kill9(final ChildJvm child) throws Exception
    {
        final ProcessHandle unshare = ProcessHandle.of(child.pid()).orElseThrow(
            () -> new AssertionError("unshare " + child.pid() + " is gone already"));
        final List<ProcessHandle> inside = unshare.children().toList();
        if (inside.size() != 1)
        {
            throw new AssertionError("unshare " + child.pid() + " has " + inside.size() + " children, not 1");
        }
        final ProcessHandle jvm = inside.get(0);
        jvm.destroyForcibly();
        jvm.onExit().get(30, TimeUnit.SECONDS);
        child.waitFor(30);
    }
}
