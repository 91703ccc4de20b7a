package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The parent's side of one run ({@link BenchRun}), in every mode: a fresh run directory under {@code /dev/shm} with
 * a private directory per transport, every transport created, one echo child started and ready, a pinger per
 * transport, and the {@link EchoControl} word through which {@link #activate} switches the child from one transport
 * to another.
 * <p>
 * {@link #finish()} ends a successful run (STOP, then the child's exit and its allocation report); {@link #close()}
 * cleans up after any run, failed or not: the child is gone and the run directory deleted when it returns.
 */
final class EchoSession implements AutoCloseable
{
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final List<Transport> transports;
    private final ShmTempDirectory runDirectory;
    private final double loadAverage;
    private final List<String> names = new ArrayList<>();
    private final List<String> descriptions = new ArrayList<>();
    private final Pinger[] pingers;
    private EchoControl control;
    private ChildJvm child;
    private int active = -1;
    private int activeCode = -1;
    private boolean stopped;

    private EchoSession(final List<Transport> transports, final ShmTempDirectory runDirectory,
        final double loadAverage)
    {
        this.transports = transports;
        this.runDirectory = runDirectory;
        this.loadAverage = loadAverage;
        this.pingers = new Pinger[transports.size()];
    }

    /**
     * Sets up a run, up to open pingers and a ready child that idles until the first {@link #activate}.
     *
     * @param specs         built-in names or class names of the transports, in run order.
     * @param messageLength bytes per message.
     * @param sink          whether the child runs {@link Echo#sink} (throughput) rather than {@link Echo#run}.
     * @param progress      receives a line once the child is ready.
     * @return the session; close it.
     * @throws IOException          if setting up a transport fails.
     * @throws InterruptedException if interrupted while waiting for the child.
     */
    static EchoSession open(final List<String> specs, final int messageLength, final boolean sink,
        final PrintStream progress) throws IOException, InterruptedException
    {
        // Before our own spinning starts: a busy host explains bad tails better than any transport does.
        final double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        final List<Transport> transports = Transports.create(specs);
        // Deleted by close(), or by a shutdown hook on Ctrl-C; the child notices our exit by itself.
        final EchoSession session =
            new EchoSession(transports, ShmTempDirectory.create("shmlink-pingpong-"), loadAverage);
        try
        {
            session.start(specs, messageLength, sink, progress);
            return session;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            session.close();
            throw ex;
        }
    }

    private void start(final List<String> specs, final int messageLength, final boolean sink,
        final PrintStream progress) throws IOException, InterruptedException
    {
        final Path run = runDirectory.path();
        final LinkSpec[] links = new LinkSpec[transports.size()];
        for (int t = 0; t < links.length; t++)
        {
            final Transport transport = transports.get(t);
            final Path directory = Files.createDirectory(run.resolve(transport.name()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            links[t] = new LinkSpec(directory, messageLength, sink, t);
            transport.create(links[t]);
            names.add(transport.name());
            descriptions.add(transport.describe(links[t]));
        }
        control = EchoControl.create(run.resolve(EchoMain.CONTROL_FILE));
        child = EchoMain.start(run, messageLength, specs, sink);
        child.awaitReady(READY_TIMEOUT);
        // The watch's first call links a few methods (a couple of hundred bytes of heap). A round trip that spins
        // long enough to call it may first happen in a measured round; make that first call here.
        child.stillWaiting(PeerWatch.SPIN_CHECK_INTERVAL, 0);
        progress.printf("echo child pid %d ready; run directory %s%n", child.pid(), run);
        for (int t = 0; t < links.length; t++)
        {
            pingers[t] = transports.get(t).openPinger(links[t], child);
        }
    }

    /**
     * @return the transports' names, in run order.
     */
    List<String> names()
    {
        return List.copyOf(names);
    }

    /**
     * @return the transports' one-line descriptions, in run order.
     */
    List<String> descriptions()
    {
        return List.copyOf(descriptions);
    }

    /**
     * @param transport index of a transport.
     * @return its pinger.
     */
    Pinger pinger(final int transport)
    {
        return pingers[transport];
    }

    /**
     * Has the child serve a transport and waits until it does. The transport served before is asked to wake its
     * echo ({@link Pinger#release()}) after the control word names the new one.
     *
     * @param transport index of the transport.
     */
    void activate(final int transport)
    {
        activate(transport, transport);
    }

    /**
     * Has the child serve a transport in one way, named by a control code (in throughput mode,
     * {@link EchoMain#sinkCode}), and waits until it does; wakes the echo served before, if it is another code.
     *
     * @param transport index of the transport.
     * @param code      the control word's value for it.
     */
    void activate(final int transport, final int code)
    {
        control.request(code);
        if (active >= 0 && activeCode != code)
        {
            pingers[active].release();
        }
        control.awaitAcknowledged(code, child);
        active = transport;
        activeCode = code;
    }

    /**
     * Has the child idle (no echo thread spinning) and waits until it does: for measurements the parent makes on its
     * own.
     */
    void idle()
    {
        control.request((int)EchoControl.IDLE);
        if (active >= 0)
        {
            pingers[active].release();
        }
        control.awaitAcknowledged((int)EchoControl.IDLE, child);
        active = -1;
        activeCode = -1;
    }

    /**
     * Ends a successful run: asks the child to stop, detaches the pingers, and waits for the child's exit.
     *
     * @return per transport, the bytes the child's echo thread allocated (see {@link ChildJvm#ALLOCATED}), or null
     * if it did not say.
     * @throws InterruptedException  if interrupted.
     * @throws IllegalStateException if the child fails or does not exit in time.
     */
    long[] finish() throws InterruptedException
    {
        stop();
        return child.finish(EXIT_TIMEOUT);
    }

    /**
     * @return what a result says of this session: the echo child's pid, the run directory (deleted by
     * {@link #close()}), and the one-minute load average before the run started.
     */
    BenchResult.Session describe()
    {
        return new BenchResult.Session(child.pid(), runDirectory.path(), loadAverage);
    }

    private void stop()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        // STOP before anything else, also on failure, so the child exits normally rather than as an orphan. Then
        // the pingers: closing a socket ends the read that a blocked socket echo may be in.
        if (control != null)
        {
            control.stop();
        }
        // Every pinger is closed even if one fails: a fan-out pinger's close ends its subscriber JVMs and fails if
        // one of them did not receive every message (FanOutSides).
        RuntimeException failure = null;
        for (final Pinger pinger : pingers)
        {
            if (pinger != null)
            {
                try
                {
                    pinger.close();
                }
                catch (final RuntimeException ex)
                {
                    if (failure == null)
                    {
                        failure = ex;
                    }
                    else
                    {
                        failure.addSuppressed(ex);
                    }
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * Stops the child if {@link #finish()} did not, and releases everything: the child is gone, the transports
     * closed and the run directory deleted.
     */
    @Override
    public void close()
    {
        try
        {
            try
            {
                stop();
            }
            finally
            {
                if (child != null)
                {
                    child.close();
                }
                if (control != null)
                {
                    control.close();
                }
            }
        }
        finally
        {
            for (final Transport transport : transports)
            {
                transport.close();
            }
            runDirectory.close();
        }
    }
}
