package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One throughput run ({@code --throughput}): the same set-up and interleaving as {@link PingPongRun}, but per round
 * each transport sends one burst of {@code --count} messages as fast as it takes them, one way; the child's
 * {@link Echo#sink} counts them and acknowledges the last ({@link BurstProtocol}). A round's figure is the time
 * from the first send to the acknowledgement's arrival, so it includes one one-way trip back, negligible against a
 * burst of thousands of messages.
 * <p>
 * Transports without a throughput mode ({@link Transport#supportsThroughput()}), the floor among them, are left out
 * with a note. Warm-up: two interleaved bursts per transport of half of {@code --warmup} each; after each switch of
 * transport, a burst of {@value PingPongRun#SETTLE_ROUND_TRIPS} messages settles it, as in the latency run.
 */
public final class ThroughputRun
{
    private ThroughputRun()
    {
    }

    /**
     * Runs the throughput measurement.
     *
     * @param options  what to run; {@link PingPongOptions#throughput()} is not checked.
     * @param progress receives a few progress lines, and a note per transport left out.
     * @return the measurements; the run directory is deleted and the child has exited by then.
     * @throws IOException              if setting up a transport fails.
     * @throws InterruptedException     if interrupted.
     * @throws IllegalArgumentException if no requested transport has a throughput mode.
     * @throws IllegalStateException    if a burst is lost or miscounted, or the child fails or hangs.
     */
    public static ThroughputResult run(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        final List<String> specs = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        for (final String spec : options.transports())
        {
            try (Transport transport = Transports.create(spec))
            {
                if (transport.supportsThroughput())
                {
                    specs.add(spec);
                }
                else
                {
                    skipped.add(transport.name());
                    progress.printf("%s: skipped, it has no throughput mode (it carries one message at a time)%n",
                        transport.name());
                }
            }
        }
        if (specs.isEmpty())
        {
            throw new IllegalArgumentException("--throughput: none of " + options.transports() +
                " has a throughput mode");
        }
        try (EchoSession session = EchoSession.open(specs, options.messageLength(), true, progress))
        {
            final int n = specs.size();
            final long[][] nanos = new long[options.rounds()][n];
            final long[] pingerAllocated = measure(options, session, nanos, progress);
            final long[] echoAllocated = session.finish();
            return new ThroughputResult(options, session.names(), session.descriptions(), skipped, nanos,
                pingerAllocated, echoAllocated, session.childPid(), session.runDirectory(), session.loadAverage());
        }
    }

    private static long[] measure(
        final PingPongOptions options, final EchoSession session, final long[][] nanos, final PrintStream progress)
    {
        final List<String> names = session.names();
        final int n = names.size();
        final long[] sequences = new long[n];
        Arrays.fill(sequences, 1);

        progress.printf("warm-up: %,d messages per transport%n", options.warmup());
        for (int half = 0; half < 2; half++)
        {
            final int count = half == 0 ? (options.warmup() + 1) / 2 : options.warmup() / 2;
            for (int t = 0; t < n && count > 0; t++)
            {
                session.activate(t);
                burst(names.get(t), session.pinger(t), sequences[t], count);
                sequences[t] += count;
            }
        }

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] allocated = new long[n];
        final int count = options.count();
        for (int r = 0; r < nanos.length; r++)
        {
            for (int k = 0; k < n; k++)
            {
                final int t = (r + k) % n;
                final Pinger pinger = session.pinger(t);
                session.activate(t);
                burst(names.get(t), pinger, sequences[t], PingPongRun.SETTLE_ROUND_TRIPS);
                sequences[t] += PingPongRun.SETTLE_ROUND_TRIPS;
                final long before = threads.getCurrentThreadAllocatedBytes();
                nanos[r][t] = burst(names.get(t), pinger, sequences[t], count);
                allocated[t] += threads.getCurrentThreadAllocatedBytes() - before;
                sequences[t] += count;
            }
            progress.println(roundLine(r, names, nanos[r], count));
        }
        return allocated;
    }

    /**
     * One burst, timed, its acknowledged count checked.
     *
     * @return nanoseconds from the first send to the acknowledgement.
     */
    private static long burst(final String name, final Pinger pinger, final long firstSequence, final int count)
    {
        try
        {
            final long start = System.nanoTime();
            final long acknowledged = pinger.sendBurst(firstSequence, count);
            final long elapsed = System.nanoTime() - start;
            if (acknowledged != count)
            {
                throw new IllegalStateException("the sink acknowledged " + acknowledged + " messages; " + count +
                    " were sent");
            }
            return elapsed;
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
        }
    }

    private static String roundLine(final int round, final List<String> names, final long[] nanos, final int count)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d msgs/s:", round + 1));
        for (int t = 0; t < nanos.length; t++)
        {
            line.append(String.format(Locale.ROOT, "  %s %,.0f", names.get(t), count * 1e9 / nanos[t]));
        }
        return line.toString();
    }
}
