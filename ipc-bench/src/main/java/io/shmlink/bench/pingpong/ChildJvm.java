package io.shmlink.bench.pingpong;

import org.agrona.CloseHelper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM on this JVM's {@code java} and class path, and the lines it speaks: every benchmark that runs a second
 * process starts it here, the harness's echo child ({@link EchoMain}) and fan-out subscribers
 * ({@link FanOutSubscriberMain}) as well as the socket, wake-up and cold-path benchmarks' children.
 * <p>
 * <b>Parent side.</b> {@link #start} runs the class with Agrona's {@code --add-opens}, the serial GC and the caller's
 * flags. The parent then either reads the child's output itself, line by line ({@link #awaitLine}), or, for the
 * harness's children ({@link #startHarnessChild}), leaves it to a daemon thread, so that the pipe never fills: that
 * thread takes the protocol lines ({@value #READY}, {@value #ALLOCATED}, {@value #RECEIVED}) and forwards every other
 * line to standard error. A harness child is also the {@link PeerWatch} of the pingers, so that a child that dies or
 * hangs fails the run with its exit code instead of leaving the parent spinning.
 * <p>
 * <b>Child side.</b> The parent holds the child's standard input open and never writes to it; a child that calls
 * {@link #watchParent} learns from its end that the parent is done or gone, whichever way it ended. So
 * {@link #close()} closes it, then waits for the child's exit, and kills it only if it does not come.
 */
public final class ChildJvm implements PeerWatch, AutoCloseable
{
    /** The line a harness child prints once it is ready to serve. */
    public static final String READY = "READY";

    /**
     * Prefix of a harness child's last line: comma-separated, the bytes its measuring thread allocated inside its
     * loops (one figure per transport), except the first loop of each (class loading).
     */
    public static final String ALLOCATED = "ALLOCATED ";

    /** Prefix of a line with which a fan-out subscriber reports how many messages it received ({@link #received()}). */
    static final String RECEIVED = "RECEIVED ";

    /**
     * System property with extra JVM flags for the harness's children, split on spaces: {@code
     * -Dpingpong.echo.jvmArgs="-XX:StartFlightRecording=filename=echo.jfr"} profiles the echo side.
     */
    public static final String EXTRA_JVM_ARGS_PROPERTY = "pingpong.echo.jvmArgs";

    /**
     * The harness children's flags besides the transports': the echo allocates nothing, so the heap can be small;
     * serial GC runs no GC threads next to the echo. Direct memory defaults to the heap's size, too small for the
     * socket sinks' buffers of 16 MiB messages. The heap is touched at start: a thread's first touch of a heap page
     * (the liveness thread's, say) would otherwise count among the measured bursts' page faults.
     */
    private static final List<String> HARNESS_FLAGS =
        List.of("-Xmx64m", "-XX:MaxDirectMemorySize=1g", "-XX:+AlwaysPreTouch");

    private static final long WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final long ORPHAN_GRACE_SECONDS = 10;
    private static final int ORPHAN_HALT_STATUS = 3;

    private final Process process;
    private final String label;
    private final BufferedReader output;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private Thread outputReader;
    private volatile long[] allocatedBytes;
    private volatile long received = -1;
    private long waitStartNs;

    private ChildJvm(final Process process, final String label)
    {
        this.process = process;
        this.label = label;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts a child JVM: this JVM's {@code java}, {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED} (for
     * Agrona), {@code -XX:+UseSerialGC}, the given flags, this JVM's class path, the class and its arguments. Its
     * standard error goes to this JVM's; read its standard output with {@link #awaitLine}.
     *
     * @param label     what failures and forwarded output call it, e.g. {@code "echo child"}.
     * @param flags     further JVM flags.
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the running child.
     * @throws IOException if the JVM cannot be started.
     */
    public static ChildJvm start(final String label, final Collection<String> flags, final Class<?> mainClass,
        final List<String> args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC"));
        command.addAll(flags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        // stdin stays a pipe: the child learns from its end that the parent is gone (watchParent).
        return new ChildJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start(), label);
    }

    /**
     * Starts a child of the harness, which speaks its protocol: it prints {@value #READY} once ready and may end with
     * an {@value #ALLOCATED} line. Its flags are {@link #HARNESS_FLAGS}, the transports', and those of
     * {@value #EXTRA_JVM_ARGS_PROPERTY}; a daemon thread reads its output.
     *
     * @param label     what failures and forwarded output call it, e.g. {@code "fan-out subscriber 2"}.
     * @param flags     the transports' JVM flags ({@link Transport#childJvmFlags()}).
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the running child; call {@link #awaitReady} next.
     * @throws IOException if the JVM cannot be started.
     */
    static ChildJvm startHarnessChild(final String label, final Collection<String> flags, final Class<?> mainClass,
        final List<String> args) throws IOException
    {
        final List<String> jvmFlags = new ArrayList<>(HARNESS_FLAGS);
        jvmFlags.addAll(flags);
        final String extra = System.getProperty(EXTRA_JVM_ARGS_PROPERTY, "").trim();
        if (!extra.isEmpty())
        {
            jvmFlags.addAll(List.of(extra.split("\\s+")));
        }
        final ChildJvm child = start(label, jvmFlags, mainClass, args);
        child.outputReader = new Thread(child::readOutput, label.replace(' ', '-') + "-" + child.pid() + "-stdout");
        child.outputReader.setDaemon(true);
        child.outputReader.start();
        return child;
    }

    /**
     * @return the child's pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * Reads the child's output up to the next line that starts with a prefix; the lines before it go to standard
     * error. Only for a child whose output no daemon thread reads.
     *
     * @param prefix the start of the line awaited.
     * @return that line.
     * @throws IOException if the child's output ends first.
     */
    public String awaitLine(final String prefix) throws IOException
    {
        String line;
        while ((line = output.readLine()) != null)
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
            System.err.println("[" + label + "] " + line);
        }
        throw new IOException(label + " (pid " + pid() + ") " + exitDescription() + " before printing " + prefix);
    }

    /**
     * Waits until a harness child has printed {@value #READY}.
     *
     * @param timeout the most to wait.
     * @throws IllegalStateException if it exits or does not get ready in time.
     * @throws InterruptedException  if interrupted.
     */
    public void awaitReady(final Duration timeout) throws InterruptedException
    {
        try
        {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(label + " (pid " + pid() + ") not ready within " + timeout);
        }
        catch (final ExecutionException ex)
        {
            process.waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException(label + " (pid " + pid() + ") ended before it was ready: " +
                exitDescription() + " (its standard error above says why)");
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Fails if the child has exited, or if the same wait has lasted 10 s: the echo of a ping takes microseconds,
     * so that long means a lost message or a stuck child.
     */
    @Override
    public void stillWaiting(final long spins, final long waitFor)
    {
        if (!process.isAlive())
        {
            throw new IllegalStateException(label + " (pid " + pid() + ") " + exitDescription() +
                " while the parent waited for " + awaited(waitFor));
        }
        final long now = System.nanoTime();
        if (spins == SPIN_CHECK_INTERVAL)
        {
            waitStartNs = now;
        }
        else if (now - waitStartNs > WAIT_TIMEOUT_NS)
        {
            throw new IllegalStateException(label + " (pid " + pid() + ") has not answered for " +
                TimeUnit.NANOSECONDS.toSeconds(now - waitStartNs) + " s; waiting for " + awaited(waitFor));
        }
    }

    /**
     * @return the count a fan-out subscriber's last {@value #RECEIVED} line gave, or -1 if it printed none (yet);
     * final once {@link #finish} has returned.
     */
    long received()
    {
        return received;
    }

    /**
     * Closes a harness child's standard input and waits for it to exit: after {@link EchoControl#stop()} a normal
     * exit; without it, the echo child takes itself for an orphan, deletes the run directory and exits.
     *
     * @param timeout the most to wait.
     * @return the figures of the child's {@value #ALLOCATED} line, or null if it printed none.
     * @throws IllegalStateException if it exits with a non-zero status or not in time (it is then killed).
     * @throws InterruptedException  if interrupted.
     */
    public long[] finish(final Duration timeout) throws InterruptedException
    {
        closeStdin();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(label + " (pid " + pid() + ") did not exit within " + timeout +
                "; killed");
        }
        // The child printed its last line before exiting; the reader reaches end-of-file right after it.
        if (outputReader != null)
        {
            outputReader.join(timeout.toMillis());
        }
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException(label + " (pid " + pid() + ") " + exitDescription());
        }
        return allocatedBytes;
    }

    /**
     * Ends the child if it still runs: closes its standard input, gives it 5 s, then kills it. If interrupted, kills
     * it at once and keeps the interrupt.
     */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            closeStdin();
            try
            {
                if (!process.waitFor(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly().waitFor();
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Child side: a daemon thread blocks reading standard input, which the parent never writes to, and runs
     * {@code onClosed} at its end: the parent closed it, or the parent process ended in any way, SIGKILL included.
     * If {@code loop} (the thread that should then stop) still runs {@value #ORPHAN_GRACE_SECONDS} s later (a bug),
     * the JVM halts with status {@value #ORPHAN_HALT_STATUS}.
     *
     * @param who      the child, for the message before a halt, e.g. {@code "echo child"}.
     * @param loop     the child's loop, e.g. {@code "echo loop"}, run by {@code thread}.
     * @param thread   the thread that should end after {@code onClosed}, or null to wait for none.
     * @param onClosed what to do when the parent is done or gone.
     */
    public static void watchParent(final String who, final String loop, final Thread thread, final Runnable onClosed)
    {
        final Thread watcher = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    // the parent never writes: anything read is ignored
                }
            }
            catch (final IOException ex)
            {
                // a broken pipe means the same as end-of-file: the parent is done or gone
            }
            onClosed.run();
            if (thread == null)
            {
                return;
            }
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(ORPHAN_GRACE_SECONDS));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive())
            {
                System.err.println(who + ": standard input closed but the " + loop + " did not stop within " +
                    ORPHAN_GRACE_SECONDS + " s; halting");
                Runtime.getRuntime().halt(ORPHAN_HALT_STATUS);
            }
        }, who.replace(' ', '-') + "-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Child side: exits this JVM, status 0, when the parent is done or gone ({@link #watchParent}).
     */
    public static void exitWithParent()
    {
        watchParent("child", "main loop", null, () -> System.exit(0));
    }

    private void closeStdin()
    {
        // the child may be gone already: nothing to close
        CloseHelper.quietClose(process.getOutputStream());
    }

    private static String awaited(final long waitFor)
    {
        return waitFor >= 0 ? "the echo of sequence " + waitFor : "its switch to transport #" + (-1 - waitFor);
    }

    private String exitDescription()
    {
        return process.isAlive() ? "is still running" : "exited with status " + process.exitValue();
    }

    /**
     * The daemon thread of a harness child: takes the protocol's lines, forwards the others to standard error.
     */
    private void readOutput()
    {
        try
        {
            String line;
            while ((line = output.readLine()) != null)
            {
                if (line.equals(READY))
                {
                    ready.complete(null);
                }
                else if (line.startsWith(ALLOCATED))
                {
                    final String[] values = line.substring(ALLOCATED.length()).trim().split(",");
                    final long[] parsed = new long[values.length];
                    for (int i = 0; i < values.length; i++)
                    {
                        parsed[i] = Long.parseLong(values[i]);
                    }
                    allocatedBytes = parsed;
                }
                else if (line.startsWith(RECEIVED))
                {
                    received = Long.parseLong(line.substring(RECEIVED.length()).trim());
                }
                else
                {
                    System.err.println("[" + label + " " + process.pid() + "] " + line);
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            System.err.println("[" + label + " " + process.pid() + "] unreadable output: " + ex);
        }
        ready.completeExceptionally(new IllegalStateException("standard output closed"));
    }
}
