package io.shmlink.bench.pingpong;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The parent's handle on the echo child JVM ({@link EchoMain}): starts it on this JVM's {@code java} and class path,
 * waits for its READY line, and serves as the {@link PeerWatch} of every pinger, so a child that dies or hangs
 * fails the run with its exit code instead of leaving the parent spinning.
 * <p>
 * A daemon thread reads the child's standard output, so parent and child synchronise on what the child prints, and
 * the pipe never fills. Lines other than the protocol's are forwarded to standard error.
 */
public final class EchoChild implements PeerWatch, AutoCloseable
{
    /**
     * The flag the child needs for Agrona 2.x; everything else is left at its default. Transports add their own
     * ({@link Transport#childJvmFlags()}).
     */
    private static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        // The echo allocates nothing, so the heap can be small; serial GC runs no GC threads next to the echo.
        // Direct memory defaults to the heap's size, too small for the socket sinks' buffers of 16 MiB messages.
        // The heap is touched at start: a thread's first touch of a heap page (the liveness thread's, say) would
        // otherwise count among the measured bursts' page faults.
        "-XX:+UseSerialGC", "-Xmx64m", "-XX:MaxDirectMemorySize=1g", "-XX:+AlwaysPreTouch");

    /**
     * System property with extra JVM flags for the child, split on spaces: {@code
     * -Dpingpong.echo.jvmArgs="-XX:StartFlightRecording=filename=echo.jfr"} profiles the echo side.
     */
    public static final String EXTRA_JVM_ARGS_PROPERTY = "pingpong.echo.jvmArgs";

    private static final long WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Prefix of a line with which a child other than the echo child (a fan-out subscriber JVM) reports how many
     * messages it received; {@link #received()} returns it.
     */
    static final String RECEIVED = "RECEIVED ";

    private final Process process;
    private final String label;
    private final Thread outputReader;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile long[] echoAllocatedBytes;
    private volatile long received = -1;
    private long waitStartNs;

    private EchoChild(final Process process, final String label)
    {
        this.process = process;
        this.label = label;
        this.outputReader = new Thread(this::readOutput, label.replace(' ', '-') + "-" + process.pid() + "-stdout");
        this.outputReader.setDaemon(true);
        this.outputReader.start();
    }

    /**
     * Starts the child.
     *
     * @param runDirectory  the run directory, holding the control file and each transport's directory.
     * @param messageLength bytes per message.
     * @param transports    names or class names, in run order: the control word's indices refer to it.
     * @return the running child; call {@link #awaitReady} next.
     * @throws IOException if the JVM cannot be started.
     */
    public static EchoChild start(final Path runDirectory, final int messageLength, final List<String> transports)
        throws IOException
    {
        return start(runDirectory, messageLength, transports, false);
    }

    /**
     * Starts the child, for ping-pong or for the throughput mode.
     *
     * @param runDirectory  the run directory, holding the control file and each transport's directory.
     * @param messageLength bytes per message.
     * @param transports    names or class names, in run order: the control word's indices refer to it.
     * @param sink          whether the child counts messages ({@link Echo#sink}) rather than echoing them.
     * @return the running child; call {@link #awaitReady} next.
     * @throws IOException if the JVM cannot be started.
     */
    public static EchoChild start(final Path runDirectory, final int messageLength, final List<String> transports,
        final boolean sink) throws IOException
    {
        return startJvm("echo child", transportFlags(transports), EchoMain.class, List.of(runDirectory.toString(),
            Integer.toString(messageLength), String.join(",", transports), sink ? EchoMain.SINK : EchoMain.ECHO));
    }

    /**
     * Starts another child JVM that speaks the echo child's protocol: it prints {@value EchoMain#READY} once ready
     * and may end with an {@value EchoMain#ALLOCATED} line, and it exits when its standard input closes. Same JVM
     * flags as the echo child, the same class path, and {@link #EXTRA_JVM_ARGS_PROPERTY}'s flags.
     *
     * @param label     what failures and forwarded output call it, e.g. {@code "fan-out subscriber 2"}.
     * @param flags     JVM flags beyond the harness's own.
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the running child; call {@link #awaitReady} next.
     * @throws IOException if the JVM cannot be started.
     */
    static EchoChild startJvm(final String label, final Collection<String> flags, final Class<?> mainClass,
        final List<String> args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(flags);
        final String extra = System.getProperty(EXTRA_JVM_ARGS_PROPERTY, "").trim();
        if (!extra.isEmpty())
        {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        // stdin stays a pipe: the child exits when it closes (see EchoMain).
        return new EchoChild(builder.start(), label);
    }

    /**
     * The flags the transports of a run ask for ({@link Transport#childJvmFlags()}), each once, in order.
     */
    private static Set<String> transportFlags(final List<String> transports)
    {
        final Set<String> flags = new LinkedHashSet<>();
        for (final String spec : transports)
        {
            try (Transport transport = Transports.create(spec))
            {
                flags.addAll(transport.childJvmFlags());
            }
        }
        return flags;
    }

    /**
     * @return the child's pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return the count the child's last {@value #RECEIVED} line gave, or -1 if it printed none (yet); final once
     * {@link #finish} has returned.
     */
    long received()
    {
        return received;
    }

    /**
     * Waits until the child has opened every echo.
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
     * Closes the child's standard input and waits for it to exit: after {@link EchoControl#stop()} a normal exit;
     * without it, the child takes itself for an orphan, deletes the run directory and exits.
     *
     * @param timeout the most to wait.
     * @return per transport, the bytes the child's echo thread allocated in its echo loops (see
     * {@link EchoMain#ALLOCATED}), or null if it did not say.
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
        outputReader.join(timeout.toMillis());
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException(label + " (pid " + pid() + ") " + exitDescription());
        }
        return echoAllocatedBytes;
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
                if (!process.waitFor(5, TimeUnit.SECONDS))
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

    private void closeStdin()
    {
        try
        {
            process.getOutputStream().close();
        }
        catch (final IOException ex)
        {
            // the child is already gone: nothing to close
        }
    }

    private static String awaited(final long waitFor)
    {
        return waitFor >= 0 ? "the echo of sequence " + waitFor : "its switch to transport #" + (-1 - waitFor);
    }

    private String exitDescription()
    {
        return process.isAlive() ? "is still running" : "exited with status " + process.exitValue();
    }

    private void readOutput()
    {
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                if (line.equals(EchoMain.READY))
                {
                    ready.complete(null);
                }
                else if (line.startsWith(EchoMain.ALLOCATED))
                {
                    final String[] values = line.substring(EchoMain.ALLOCATED.length()).trim().split(",");
                    final long[] parsed = new long[values.length];
                    for (int i = 0; i < values.length; i++)
                    {
                        parsed[i] = Long.parseLong(values[i]);
                    }
                    echoAllocatedBytes = parsed;
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
