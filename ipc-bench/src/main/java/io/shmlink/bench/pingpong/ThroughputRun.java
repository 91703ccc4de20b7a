package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

import static io.shmlink.bench.pingpong.BenchResult.SENDER_PROCESS;
import static io.shmlink.bench.pingpong.BenchResult.SENDER_THREAD;
import static io.shmlink.bench.pingpong.BenchResult.SINK_PROCESS;
import static io.shmlink.bench.pingpong.BenchResult.SINK_THREAD;

/**
 * One throughput run ({@code --throughput}): the same set-up and interleaving as {@link PingPongRun}, but per round
 * each contender ({@link Contender}: a transport with a {@link SendMode} and a {@link SinkMode}) sends one burst of
 * {@code --count} messages as fast as it takes them, one way. Every message holds fresh data ({@link Payload}); the
 * child's {@link Echo#sink} reads every byte of it ({@link BurstSink}) and acknowledges the last message of the
 * burst ({@link BurstProtocol}) with its count and checksum, which the sender checks against what it sent: a lost,
 * doubled or unread message fails the run. A round's figure is the time from the first send to the
 * acknowledgement's arrival, so it includes one one-way trip back, negligible against a burst.
 * <p>
 * Two references run in the same rounds, in the parent while the child idles ({@link MemcpyReference}): one thread
 * copying the same bytes within its cache, and through DRAM. With the {@code floor} transport (the bare two-process
 * ring, {@link FloorTransport}) they say how close to the machine's limits the transports are.
 * <p>
 * Page faults: each side's process and thread counters ({@link PageFaults}) are read just before and just after each
 * measured burst (the sink's in its acknowledgement), so warm-up and set-up are left out.
 * <p>
 * Transports without a throughput mode ({@link Transport#supportsThroughput()}) are left out with a note. Warm-up:
 * two interleaved bursts per contender of half of {@code --warmup} each; after each switch, a burst of
 * {@link #settleMessages} messages settles it, as in the latency run.
 */
public final class ThroughputRun
{
    /** Bytes of the unmeasured burst before each measured one: {@link #settleMessages} messages. */
    static final int SETTLE_BYTES = 4 << 20;

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
     * @throws IllegalStateException    if a burst is lost, miscounted or its checksum is wrong, or the child fails
     *                                  or hangs.
     */
    public static BenchResult run(final PingPongOptions options, final PrintStream progress)
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
                    progress.printf("%s: skipped, it has no throughput mode%n", transport.name());
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
            final List<Contender> contenders = new ArrayList<>();
            final List<Transport> transports = Transports.create(specs);
            for (int t = 0; t < transports.size(); t++)
            {
                contenders.addAll(Contender.of(t, transports.get(t), session.descriptions().get(t)));
                transports.get(t).close();
            }
            contenders.add(memcpy(Contender.MEMCPY_CACHE, options, MemcpyReference.CACHE_BYTES));
            contenders.add(memcpy(Contender.MEMCPY_DRAM, options, MemcpyReference.DRAM_BYTES));
            final int n = contenders.size();
            final long[][] nanos = new long[options.rounds()][n];
            final long[][] faults = new long[n][BenchResult.FAULT_COUNTERS];
            final List<Map<String, Long>> faultsByThread = new ArrayList<>();
            for (int c = 0; c < n; c++)
            {
                faultsByThread.add(new HashMap<>());
            }
            final long[] pingerAllocated =
                measure(options, session, contenders, nanos, faults, faultsByThread, progress);
            final long[] echoAllocated = session.finish();
            final List<String> names = new ArrayList<>();
            final List<String> descriptions = new ArrayList<>();
            final long[] sinkAllocated = new long[n];
            for (int c = 0; c < n; c++)
            {
                final Contender contender = contenders.get(c);
                names.add(contender.name());
                descriptions.add(contender.description());
                sinkAllocated[c] = contender.isMemcpy() || echoAllocated == null ||
                    contender.transport() >= echoAllocated.length ? -1 : echoAllocated[contender.transport()];
            }
            return BenchResult.throughput(options, names, descriptions, skipped, nanos, faults, faultsByThread,
                pingerAllocated, sinkAllocated, session.describe());
        }
    }

    /**
     * @param messageLength bytes per message.
     * @return messages in a settling burst: {@value #SETTLE_BYTES} bytes' worth, between 2 and 64.
     */
    static int settleMessages(final int messageLength)
    {
        return Math.max(2, Math.min(64, SETTLE_BYTES / messageLength));
    }

    private static Contender memcpy(final String name, final PingPongOptions options, final int bytes)
    {
        final MemcpyReference reference = new MemcpyReference(name, options.messageLength(), bytes);
        return new Contender(name, reference.describe(), -1, null, null, reference);
    }

    private static long[] measure(
        final PingPongOptions options,
        final EchoSession session,
        final List<Contender> contenders,
        final long[][] nanos,
        final long[][] faults,
        final List<Map<String, Long>> faultsByThread,
        final PrintStream progress)
    {
        final int n = contenders.size();
        final long[] sequences = new long[session.names().size()];
        Arrays.fill(sequences, 1);
        final Payload expected = new Payload(options.messageLength());

        progress.printf("warm-up: %,d messages per contender (%d contenders)%n", options.warmup(), n);
        for (int half = 0; half < 2; half++)
        {
            final int count = half == 0 ? (options.warmup() + 1) / 2 : options.warmup() / 2;
            for (int c = 0; c < n && count > 0; c++)
            {
                burst(session, contenders.get(c), sequences, count, expected, null, null);
            }
        }

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] allocated = new long[n];
        final int count = options.count();
        try (PageFaults process = PageFaults.open(PageFaults.PROCESS);
            PageFaults thread = PageFaults.open(PageFaults.THREAD))
        {
            final long[] sample = new long[BenchResult.FAULT_COUNTERS];
            for (int r = 0; r < nanos.length; r++)
            {
                for (int k = 0; k < n; k++)
                {
                    final int c = (r + k) % n;
                    final Contender contender = contenders.get(c);
                    burst(session, contender, sequences, settleMessages(options.messageLength()), expected, null,
                        null);
                    final Map<String, Long> threadsBefore = ThreadFaults.sample();
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    nanos[r][c] = burst(session, contender, sequences, count, expected, process, thread, sample);
                    allocated[c] += threads.getCurrentThreadAllocatedBytes() - before;
                    ThreadFaults.accumulate(threadsBefore, ThreadFaults.sample(), faultsByThread.get(c));
                    for (int f = 0; f < sample.length; f++)
                    {
                        faults[c][f] = faults[c][f] < 0 || sample[f] < 0 ? -1 : faults[c][f] + sample[f];
                    }
                }
                progress.println(roundLine(r, contenders, nanos[r], (long)count * options.messageLength()));
            }
        }
        return allocated;
    }

    private static long burst(final EchoSession session, final Contender contender, final long[] sequences,
        final int count, final Payload expected, final PageFaults process, final PageFaults thread)
    {
        return burst(session, contender, sequences, count, expected, process, thread, null);
    }

    /**
     * One burst, timed, its acknowledged count and checksum checked; with fault readers, the faults of both sides
     * during it go into {@code faults}: sender process minor and major, sender thread minor and major, then the same
     * for the sink (-1 where unknown; memcpy has no sink: 0).
     *
     * @return nanoseconds from the first send to the acknowledgement.
     */
    private static long burst(
        final EchoSession session,
        final Contender contender,
        final long[] sequences,
        final int count,
        final Payload expected,
        final PageFaults process,
        final PageFaults thread,
        final long[] faults)
    {
        if (contender.isMemcpy())
        {
            session.idle();
            sampleBefore(process, thread, faults);
            final long start = System.nanoTime();
            contender.memcpy().copy(count);
            final long elapsed = System.nanoTime() - start;
            sampleAfter(process, thread, faults);
            if (faults != null)
            {
                Arrays.fill(faults, SINK_PROCESS, faults.length, 0);
            }
            return elapsed;
        }
        final int t = contender.transport();
        session.activate(t, contender.code());
        final long first = sequences[t];
        sequences[t] += count;
        try
        {
            sampleBefore(process, thread, faults);
            final long start = System.nanoTime();
            final Acknowledgement acknowledgement = session.pinger(t).sendBurst(first, count, contender.send());
            final long elapsed = System.nanoTime() - start;
            sampleAfter(process, thread, faults);
            if (acknowledgement.count() != count)
            {
                throw new IllegalStateException("the sink acknowledged " + acknowledgement.count() + " messages; " +
                    count + " were sent");
            }
            final long checksum = expected.expectedBurst(first, count);
            if (acknowledgement.checksum() != checksum)
            {
                throw new IllegalStateException("the sink's checksum " + Long.toHexString(acknowledgement.checksum()) +
                    " is not the sender's " + Long.toHexString(checksum) + ": bytes were lost, changed or not read");
            }
            if (faults != null)
            {
                faults[SINK_PROCESS] = acknowledgement.processMinor();
                faults[SINK_PROCESS + 1] = acknowledgement.processMajor();
                faults[SINK_THREAD] = acknowledgement.threadMinor();
                faults[SINK_THREAD + 1] = acknowledgement.threadMajor();
            }
            return elapsed;
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(contender.name() + ": " + ex.getMessage(), ex);
        }
    }

    private static void sampleBefore(final PageFaults process, final PageFaults thread, final long[] faults)
    {
        if (faults != null)
        {
            faults[SENDER_PROCESS] = process.sample().minor();
            faults[SENDER_PROCESS + 1] = process.major();
            faults[SENDER_THREAD] = thread.sample().minor();
            faults[SENDER_THREAD + 1] = thread.major();
        }
    }

    private static void sampleAfter(final PageFaults process, final PageFaults thread, final long[] faults)
    {
        if (faults != null)
        {
            faults[SENDER_PROCESS] = delta(faults[SENDER_PROCESS], process.sample().minor());
            faults[SENDER_PROCESS + 1] = delta(faults[SENDER_PROCESS + 1], process.major());
            faults[SENDER_THREAD] = delta(faults[SENDER_THREAD], thread.sample().minor());
            faults[SENDER_THREAD + 1] = delta(faults[SENDER_THREAD + 1], thread.major());
        }
    }

    private static long delta(final long before, final long after)
    {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private static String roundLine(final int round, final List<Contender> contenders, final long[] nanos,
        final long bytes)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d MB/s:", round + 1));
        for (int c = 0; c < nanos.length; c++)
        {
            line.append(String.format(Locale.ROOT, "  %s %,.0f", contenders.get(c).name(), bytes * 1e3 / nanos[c]));
        }
        return line.toString();
    }
}
