package io.shmlink.bench.pingpong;

import io.shmlink.bench.ShmTempDirectory;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The echo child JVM, started by {@link #start}: opens the echo side of every transport of the run, prints
 * {@value ChildJvm#READY}, then serves whichever transport the {@link EchoControl} word names until it says
 * {@link EchoControl#STOP}.
 * <p>
 * Arguments: {@code <run directory> <message length> <transport,transport,...> [echo|sink]}: the last says whether
 * each transport's loop is its {@link Echo#run} (ping-pong, the default) or its {@link Echo#sink} (throughput). In
 * ping-pong the control word names a transport by its index; in throughput mode it names a transport and a
 * {@link SinkMode} ({@link #sinkCode}).
 * <p>
 * <b>Never outliving the parent.</b> When this process's standard input ends ({@link ChildJvm#watchParent}) and the
 * parent has not requested STOP, the parent vanished mid-run: this process requests STOP itself, leaves its echo
 * loop within microseconds, deletes the run directory the parent can no longer delete, and exits.
 */
public final class EchoMain
{
    /** The mode argument for ping-pong. */
    public static final String ECHO = "echo";

    /** The mode argument for the throughput mode. */
    public static final String SINK = "sink";

    /** Name of the control file in the run directory. */
    public static final String CONTROL_FILE = "echo-control";

    private static volatile boolean orphaned;

    /** {@code SinkMode.values()} copies the array on every call; a fan-out side looks its mode up once per poll. */
    private static final SinkMode[] SINK_MODES = SinkMode.values();

    /**
     * The control word's value, in throughput mode, for a transport read in a mode.
     *
     * @param transport the transport's index in the run.
     * @param mode      how its sink reads.
     * @return the code; {@code code / SinkMode.values().length} is the transport.
     */
    public static int sinkCode(final int transport, final SinkMode mode)
    {
        return transport * SINK_MODES.length + mode.ordinal();
    }

    /**
     * The other way: what a throughput run's control word asks of a transport.
     *
     * @param code      a value of the control word.
     * @param transport a transport's index in the run.
     * @return the mode in which to sink it, or null if the word names another transport, or none.
     */
    static SinkMode sinkMode(final long code, final int transport)
    {
        return code >= 0 && code / SINK_MODES.length == transport ? SINK_MODES[(int)(code % SINK_MODES.length)] : null;
    }

    private EchoMain()
    {
    }

    /**
     * Parent: starts the echo child, for ping-pong or for the throughput mode, with the JVM flags its transports ask
     * for ({@link Transport#childJvmFlags()}), each once.
     *
     * @param runDirectory  the run directory, holding the control file and each transport's directory.
     * @param messageLength bytes per message.
     * @param transports    names or class names, in run order: the control word's indices refer to it.
     * @param sink          whether the child counts messages ({@link Echo#sink}) rather than echoing them.
     * @return the running child; call {@link ChildJvm#awaitReady} next.
     * @throws IOException if the JVM cannot be started.
     */
    public static ChildJvm start(final Path runDirectory, final int messageLength, final List<String> transports,
        final boolean sink) throws IOException
    {
        final Set<String> flags = new LinkedHashSet<>();
        for (final String spec : transports)
        {
            try (Transport transport = Transports.create(spec))
            {
                flags.addAll(transport.childJvmFlags());
            }
        }
        return ChildJvm.startHarnessChild("echo child", flags, EchoMain.class, List.of(runDirectory.toString(),
            Integer.toString(messageLength), String.join(",", transports), sink ? SINK : ECHO));
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
        ChildJvm.watchParent("echo child", "echo loop", Thread.currentThread(), () ->
        {
            if (control.requested() != EchoControl.STOP)
            {
                orphaned = true;
                control.stop();
            }
        });

        final Echo[] echoes = new Echo[transports.size()];
        for (int i = 0; i < echoes.length; i++)
        {
            final Transport transport = transports.get(i);
            echoes[i] = transport.openEcho(new LinkSpec(runDirectory.resolve(transport.name()), messageLength,
                sink, i));
        }
        System.out.println(ChildJvm.READY);
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
        final StringBuilder line = new StringBuilder(ChildJvm.ALLOCATED);
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
        final int codesPerTransport = sink ? SINK_MODES.length : 1;
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
                    echoes[index].sink(control, code, SINK_MODES[code % codesPerTransport]);
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
}
