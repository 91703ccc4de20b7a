package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The echo child JVM, started by {@link EchoChild}: opens the echo side of every transport of the run, prints
 * {@value #READY}, then serves whichever transport the {@link EchoControl} word names until it says
 * {@link EchoControl#STOP}.
 * <p>
 * Arguments: {@code <run directory> <message length> <transport,transport,...> [echo|sink]}: the last says whether
 * each transport's loop is its {@link Echo#run} (ping-pong, the default) or its {@link Echo#sink} (throughput). In
 * ping-pong the control word names a transport by its index; in throughput mode it names a transport and a
 * {@link SinkMode} ({@link #sinkCode}).
 * <p>
 * <b>Never outliving the parent.</b> The parent holds the write end of this process's standard input and never
 * writes to it; a daemon thread blocks reading it. The read returns end-of-file when the parent closes it or when
 * the parent process ends in any way, SIGKILL included. If by then the parent has not requested STOP, the parent
 * vanished mid-run: this process requests STOP itself, leaves its echo loop within microseconds, deletes the run
 * directory the parent can no longer delete, and exits. If the echo loop does not stop (a bug), the watcher halts
 * the JVM after {@value #ORPHAN_GRACE_SECONDS} s.
 */
public final class EchoMain
{
    /** The line the child prints once every echo is open. */
    public static final String READY = "READY";

    /**
     * Prefix of the last line: per transport, comma-separated, the bytes the echo thread allocated inside its echo
     * loops, except the first loop (class loading).
     */
    public static final String ALLOCATED = "ALLOCATED ";

    /** The mode argument for ping-pong. */
    public static final String ECHO = "echo";

    /** The mode argument for the throughput mode. */
    public static final String SINK = "sink";

    /** Name of the control file in the run directory. */
    public static final String CONTROL_FILE = "echo-control";

    private static final long ORPHAN_GRACE_SECONDS = 10;
    private static final int ORPHAN_HALT_STATUS = 3;

    private static volatile boolean orphaned;

    /**
     * The control word's value, in throughput mode, for a transport read in a mode.
     *
     * @param transport the transport's index in the run.
     * @param mode      how its sink reads.
     * @return the code; {@code code / SinkMode.values().length} is the transport.
     */
    public static int sinkCode(final int transport, final SinkMode mode)
    {
        return transport * SinkMode.values().length + mode.ordinal();
    }

    private EchoMain()
    {
    }

    /**
     * Runs the echo child.
     *
     * @param args run directory, message length, comma-separated transports, optionally echo or sink.
     * @throws IOException if a transport cannot be opened.
     */
    public static void main(final String[] args) throws IOException
    {
        if ((args.length != 3 && args.length != 4) || (args.length == 4 && !List.of(ECHO, SINK).contains(args[3])))
        {
            System.err.println("usage: EchoMain <run directory> <message length> <transport,transport,...> " +
                "[echo|sink]");
            System.exit(2);
        }
        final Path runDirectory = Path.of(args[0]);
        final int messageLength = Integer.parseInt(args[1]);
        final List<Transport> transports = Transports.create(List.of(args[2].split(",")));
        final boolean sink = args.length == 4 && args[3].equals(SINK);

        // Never unmapped: the stdin watcher may read it at any time until the JVM exits, and an access to an
        // unmapped buffer would crash the JVM. The exit releases the mapping.
        final EchoControl control = EchoControl.open(runDirectory.resolve(CONTROL_FILE));
        watchStdin(control, Thread.currentThread());

        final Echo[] echoes = new Echo[transports.size()];
        for (int i = 0; i < echoes.length; i++)
        {
            final Transport transport = transports.get(i);
            echoes[i] = transport.openEcho(new LinkSpec(runDirectory.resolve(transport.name()), messageLength,
                sink));
        }
        System.out.println(READY);
        System.out.flush();

        final long[] allocated = serve(control, echoes, sink);

        for (final Echo echo : echoes)
        {
            echo.close();
        }
        for (final Transport transport : transports)
        {
            transport.close();
        }
        if (orphaned)
        {
            ShmTempDirectory.deleteTree(runDirectory);
        }
        final StringBuilder line = new StringBuilder(ALLOCATED);
        for (int i = 0; i < allocated.length; i++)
        {
            line.append(i == 0 ? "" : ",").append(allocated[i]);
        }
        System.out.println(line);
        System.out.flush();
    }

    /**
     * The child's only busy thread: serves the requested transport's echo (or sink), idles with a back-off otherwise.
     *
     * @return per transport, bytes this thread allocated inside its echo loops, except the first: should be 0.
     */
    private static long[] serve(final EchoControl control, final Echo[] echoes, final boolean sink)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final IdleStrategy idle = new BackoffIdleStrategy();
        final boolean[] served = new boolean[echoes.length];
        final long[] allocated = new long[echoes.length];
        final int codesPerTransport = sink ? SinkMode.values().length : 1;
        boolean idleAcknowledged = false;
        while (true)
        {
            final long requested = control.requested();
            if (requested == EchoControl.STOP)
            {
                return allocated;
            }
            if (requested >= 0 && requested < (long)echoes.length * codesPerTransport)
            {
                final int code = (int)requested;
                final int index = code / codesPerTransport;
                control.acknowledge(code);
                idleAcknowledged = false;
                final long before = threads.getCurrentThreadAllocatedBytes();
                if (sink)
                {
                    echoes[index].sink(control, code, SinkMode.values()[code % codesPerTransport]);
                }
                else
                {
                    echoes[index].run(control, index);
                }
                final long delta = threads.getCurrentThreadAllocatedBytes() - before;
                // A transport's first loop loads and links the classes its echo path touches (kilobytes); that is
                // start-up, not the hot path, so only later loops count.
                if (served[index])
                {
                    allocated[index] += delta;
                }
                served[index] = true;
                idle.reset();
            }
            else if (requested == EchoControl.IDLE)
            {
                if (!idleAcknowledged)
                {
                    // The parent may wait for this before it measures something of its own (a memcpy).
                    control.acknowledge(EchoControl.IDLE);
                    idleAcknowledged = true;
                }
                idle.idle();
            }
            else
            {
                throw new IllegalStateException("control word names no transport of " + echoes.length + ": " +
                    requested);
            }
        }
    }

    private static void watchStdin(final EchoControl control, final Thread echoThread)
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
                // a broken pipe means the same as end-of-file: the parent is gone
            }
            if (control.requested() != EchoControl.STOP)
            {
                orphaned = true;
                control.stop();
            }
            try
            {
                echoThread.join(TimeUnit.SECONDS.toMillis(ORPHAN_GRACE_SECONDS));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (echoThread.isAlive())
            {
                System.err.println("echo child: standard input closed but the echo loop did not stop within " +
                    ORPHAN_GRACE_SECONDS + " s; halting");
                Runtime.getRuntime().halt(ORPHAN_HALT_STATUS);
            }
        }, "echo-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
