package io.shmlink.shm.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real child JVM on the current {@code java} and class path, running a test's {@code main}. Its standard output
 * is read line by line, so parent and child synchronise on what the child prints, never on sleeps.
 */
public final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final BufferedReader out;
    private String label = "";

    private ChildJvm(final Process process)
    {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code main} of a class in a new JVM.
     *
     * @param main the class whose main runs.
     * @param args its arguments.
     * @return the running child.
     * @throws IOException if it cannot start.
     */
    public static ChildJvm start(final Class<?> main, final String... args) throws IOException
    {
        return start(List.of(), main, args);
    }

    /**
     * Starts {@code main} of a class in a new JVM with extra JVM options.
     *
     * @param jvmOptions options before the class name, such as {@code -Dkey=value}.
     * @param main       the class whose main runs.
     * @param args       its arguments.
     * @return the running child.
     * @throws IOException if it cannot start.
     */
    public static ChildJvm start(final List<String> jvmOptions, final Class<?> main, final String... args)
        throws IOException
    {
        return startUnder(List.of(), jvmOptions, main, args);
    }

    /**
     * Starts {@code main} of a class in a new JVM run by a launcher command, such as {@code unshare ...}, that
     * runs the rest of its command line; {@link #pid()} is then the launcher's.
     *
     * @param launcher   the launcher command and its options, put before {@code java}; empty for none.
     * @param jvmOptions options before the class name, such as {@code -Dkey=value}.
     * @param main       the class whose main runs.
     * @param args       its arguments.
     * @return the running child.
     * @throws IOException if it cannot start.
     */
    public static ChildJvm startUnder(
        final List<String> launcher, final List<String> jvmOptions, final Class<?> main, final String... args)
        throws IOException
    {
        return startUnder(launcher, jvmOptions, System.getProperty("java.class.path"), main, args);
    }

    /**
     * Starts {@code main} of a class in a new JVM run by a launcher command, on a class path of the caller's: for
     * a child run as another user ({@code setpriv --reuid ...}), who may not be able to read this JVM's own.
     *
     * @param launcher   the launcher command and its options, put before {@code java}; empty for none.
     * @param jvmOptions options before the class name, such as {@code -Dkey=value}.
     * @param classPath  the child's class path.
     * @param main       the class whose main runs.
     * @param args       its arguments.
     * @return the running child.
     * @throws IOException if it cannot start.
     */
    public static ChildJvm startUnder(final List<String> launcher, final List<String> jvmOptions,
        final String classPath, final Class<?> main, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.directory(new File(System.getProperty("user.dir")));
        return new ChildJvm(builder.start());
    }

    /**
     * Names the child, for tests that juggle several.
     *
     * @param label the name.
     * @return this.
     */
    public ChildJvm labelled(final String label)
    {
        this.label = label;
        return this;
    }

    /**
     * @return the name given by {@link #labelled}.
     */
    public String label()
    {
        return label;
    }

    /**
     * Waits for the child to print a line.
     *
     * @return the line; fails if the child ended first.
     * @throws IOException if reading fails.
     */
    public String readLine() throws IOException
    {
        final String line = out.readLine();
        if (line == null)
        {
            throw new IOException("child ended without printing (exit " + exitCodeOrRunning() + ")");
        }
        return line;
    }

    /**
     * Waits for a line that starts with a prefix, skipping others.
     *
     * @param prefix the expected start.
     * @return the line.
     * @throws IOException if the child ends first.
     */
    public String awaitLine(final String prefix) throws IOException
    {
        while (true)
        {
            final String line = readLine();
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
    }

    /**
     * Sends the child a line on its standard input.
     *
     * @param line the line, without its end.
     * @throws IOException if the child's input is closed.
     */
    public void sendLine(final String line) throws IOException
    {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /**
     * Waits for the child to exit.
     *
     * @param timeoutSeconds the most to wait.
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public int waitFor(final long timeoutSeconds) throws InterruptedException
    {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child did not exit within " + timeoutSeconds + " s");
        }
        return process.exitValue();
    }

    /**
     * Kills the child with SIGKILL and reaps it, so its pid is really gone.
     *
     * @throws InterruptedException if interrupted.
     */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * @return whether the child is still running.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the child's exit code; only once it has ended.
     */
    public int exitValue()
    {
        return process.exitValue();
    }

    /**
     * @return the child's pid.
     */
    public long pid()
    {
        return process.pid();
    }

    private String exitCodeOrRunning()
    {
        try
        {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /**
     * Kills the child with SIGKILL and reaps it, waiting up to 30 s even if this thread is interrupted (as a test
     * thread is by a JUnit timeout), and keeping the interrupt for the caller: a child left unreaped would keep
     * its user "in use" for {@code userdel}.
     */
    @Override
    public void close()
    {
        process.destroyForcibly();
        awaitExitUninterruptibly(process, TimeUnit.SECONDS.toNanos(30));
    }

    /**
     * Waits for a process to exit, up to a bound, through interrupts, which it keeps for the caller.
     *
     * @param process      the process.
     * @param timeoutNanos the most to wait.
     * @return whether it exited.
     */
    static boolean awaitExitUninterruptibly(final Process process, final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    return process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
