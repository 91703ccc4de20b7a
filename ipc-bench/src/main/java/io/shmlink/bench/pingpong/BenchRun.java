package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

import static io.shmlink.bench.pingpong.BenchResult.SENDER_PROCESS;
import static io.shmlink.bench.pingpong.BenchResult.SINK_PROCESS;

/**
 * One run of the harness, in any mode: sets up every transport in a fresh {@code /dev/shm} directory, starts one
 * echo child for all of them ({@link EchoSession}), warms each column up, then measures in interleaved rounds.
 * <p>
 * <b>Why interleaved.</b> On a VM the host moves vCPUs, and the round-trip time of the very same code jumps by
 * several times from one minute to the next. Measuring transport A for a while and then B compares two
 * different machines. Here each round runs every column back to back, a fraction of a second apart, and the
 * report compares columns within a round ({@link BenchResult#ratios}) before summarising over rounds.
 * Round {@code r} starts at column {@code r mod n} (A B C, B C A, C A B, ...) so that no column is always
 * first after the longer gap between rounds. Warm-up runs in two interleaved halves, so that the shared measuring
 * code has seen every transport before the first measured round.
 * <p>
 * <b>Why one child.</b> See {@link EchoControl}: at most two threads spin at any time, the pinger and the echo.
 * <p>
 * <b>Latency</b> (the default). After each switch of transport, {@value #SETTLE_ROUND_TRIPS} unrecorded round trips
 * let the newly served loops pull their cache lines in and re-enter compiled code, so that each round measures the
 * transport and not the switch; the cost is the same for every transport.
 * <p>
 * <b>Fixed rate</b> ({@code --rate}): each measured round sends on a schedule through
 * {@link RoundTripLoop#runAtRate}, which records every round trip twice, from its intended and from its actual send
 * time. The second half of the warm-up is paced too, so that the paced loop is compiled before the first round, but
 * at most a quarter of a second of it per transport, so that a low rate does not make the warm-up endless. The
 * settling round trips stay back to back: they only bring the transport's lines and code back.
 * <p>
 * <b>Throughput</b> ({@code --throughput}): per round each contender ({@link Contender}: a transport with a
 * {@link SendMode} and a {@link SinkMode}) sends one burst of {@code --count} messages as fast as it takes them, one
 * way. Every message holds fresh data ({@link Payload}); the child's {@link Echo#sink} reads every byte of it
 * ({@link BurstSink}) and acknowledges the last message of the burst ({@link BurstProtocol}) with its count and
 * checksum, which the sender checks against what it sent: a lost, doubled or unread message fails the run. A round's
 * figure is the time from the first send to the acknowledgement's arrival, so it includes one one-way trip back,
 * negligible against a burst. Two references run in the same rounds, in the parent while the child idles
 * ({@link MemcpyReference}): one thread copying the same bytes within its cache, and through DRAM; with the
 * {@code floor} transport (the bare two-process ring, {@link FloorTransport}) they say how close to the machine's
 * limits the transports are. Each side's page-fault counters ({@link PageFaults}) are read just before and just after
 * each measured burst (the sink's in its acknowledgement), so warm-up and set-up are left out; so is each side's
 * process CPU time ({@link CpuPerGib}). Transports without a
 * throughput mode ({@link Transport#throughputModes()}) are left out with a note. After each switch, a burst of
 * {@link #settleMessages} messages settles the contender.
 */
public final class BenchRun
{
    /** Unrecorded round trips after each switch of transport in a latency run. */
    public static final int SETTLE_ROUND_TRIPS = 1_000;

    /** Bytes of the unmeasured burst before each measured one: {@link #settleMessages} messages. */
    static final int SETTLE_BYTES = 4 << 20;

    /** The measuring thread's allocation counter: read around each measured loop. */
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private BenchRun()
    {
    }

    /**
     * Runs the harness in the mode the options say: latency, back to back or at a fixed rate, or throughput; with
     * {@link PingPongOptions#freshJvms()}, latency in fresh JVMs ({@link FreshJvmRun}).
     *
     * @param options  what to run.
     * @param progress receives a few progress lines, and in a throughput run a note per transport left out.
     * @return the measurements; the run directory is deleted and the child has exited by then.
     * @throws IOException              if setting up a transport fails.
     * @throws InterruptedException     if interrupted.
     * @throws IllegalArgumentException if a throughput run has no transport with a throughput mode.
     * @throws IllegalStateException    if an echo or a burst is wrong, lost or miscounted, or the child fails or
     *                                  hangs.
     */
    public static BenchResult run(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        if (options.freshJvms())
        {
            return FreshJvmRun.run(options, progress);
        }
        return options.throughput() ? throughput(options, progress) : latency(options, progress);
    }

    private static BenchResult latency(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        try (EchoSession session = EchoSession.open(options.transports(), options.messageLength(), false, progress))
        {
            final int n = session.names().size();
            final Histogram[][] rounds = preallocate(options.rounds(), n);
            final Histogram[][] uncorrected = options.fixedRate() ? preallocate(options.rounds(), n) : null;
            final long[] pingerAllocated = measureLatency(options, session, rounds, uncorrected, progress);
            final long[] echoAllocated = session.finish();
            return new BenchResult(options, session.names(), session.descriptions(), null, rounds, uncorrected, null,
                null, null, null, pingerAllocated, echoAllocated, session.describe());
        }
    }

    private static BenchResult throughput(final PingPongOptions options, final PrintStream progress)
        throws IOException, InterruptedException
    {
        final List<String> specs = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        for (final String spec : options.transports())
        {
            try (Transport transport = Transports.create(spec))
            {
                if (transport.throughputModes() != ThroughputModes.NONE)
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
            final CpuPerGib cpu = new CpuPerGib(n);
            final long[] pingerAllocated =
                measureThroughput(options, session, contenders, nanos, faults, faultsByThread, cpu, progress);
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
            return new BenchResult(options, names, descriptions, skipped, null, null, nanos, faults, faultsByThread,
                cpu, pingerAllocated, sinkAllocated, session.describe());
        }
    }

    private static Histogram[][] preallocate(final int roundCount, final int transportCount)
    {
        final Histogram[][] rounds = new Histogram[roundCount][transportCount];
        for (final Histogram[] round : rounds)
        {
            for (int t = 0; t < transportCount; t++)
            {
                round[t] = RoundTripLoop.newHistogram();
            }
        }
        return rounds;
    }

    /**
     * Warm-up, then the interleaved rounds.
     *
     * @param uncorrected null for back to back; else receives the fixed-rate run's uncorrected round trips.
     * @return per transport, bytes allocated by this thread inside the measured loops.
     */
    private static long[] measureLatency(
        final PingPongOptions options,
        final EchoSession session,
        final Histogram[][] rounds,
        final Histogram[][] uncorrected,
        final PrintStream progress)
    {
        final List<String> names = session.names();
        final int n = names.size();
        final long[] sequences = new long[n];
        Arrays.fill(sequences, 1);
        final Histogram scratch = RoundTripLoop.newHistogram();
        final Histogram scratchUncorrected = RoundTripLoop.newHistogram();

        // Warm-up in two interleaved halves: the shared measuring loop then sees every pinger before the first
        // measured round, so its JIT recompilations (monomorphic, bimorphic, megamorphic) happen in warm-up.
        final int paced = options.fixedRate() ?
            Math.min(options.warmup() / 2, Math.max(1, options.rate() / 4)) : 0;
        if (options.fixedRate())
        {
            progress.printf("warm-up: %,d round trips per transport back to back, then %,d at %,d/s%n",
                (options.warmup() + 1) / 2, paced, options.rate());
        }
        else
        {
            progress.printf("warm-up: %,d round trips per transport%n", options.warmup());
        }
        for (int half = 0; half < 2; half++)
        {
            final int count = half == 0 ? (options.warmup() + 1) / 2 : options.warmup() / 2;
            for (int t = 0; t < n && count > 0; t++)
            {
                session.activate(t);
                final boolean atRate = half == 1 && options.fixedRate();
                sequences[t] = loop(names.get(t), session.pinger(t), sequences[t], atRate ? paced : count,
                    options.rate(), scratch, atRate ? scratchUncorrected : null);
                scratch.reset();
                scratchUncorrected.reset();
            }
        }

        final long[] allocated = new long[n];
        for (int r = 0; r < rounds.length; r++)
        {
            for (int k = 0; k < n; k++)
            {
                final int t = (r + k) % n;
                final Pinger pinger = session.pinger(t);
                session.activate(t);
                sequences[t] = loop(names.get(t), pinger, sequences[t], SETTLE_ROUND_TRIPS, 0, scratch, null);
                scratch.reset();
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                sequences[t] = loop(names.get(t), pinger, sequences[t], options.count(), options.rate(), rounds[r][t],
                    uncorrected == null ? null : uncorrected[r][t]);
                allocated[t] += THREADS.getCurrentThreadAllocatedBytes() - before;
            }
            final Histogram[] round = rounds[r];
            progress.println(roundLine(r, "p50", names, t ->
                String.format(Locale.ROOT, "%,d ns", round[t].getValueAtPercentile(50))));
        }
        return allocated;
    }

    /**
     * {@link RoundTripLoop#run} back to back, or {@link RoundTripLoop#runAtRate} at {@code rate} when given an
     * uncorrected histogram; with the transport's name added to a failure (outside the loop: no cost in it).
     */
    private static long loop(
        final String name, final Pinger pinger, final long firstSequence, final int count, final int rate,
        final Histogram histogram, final Histogram uncorrected)
    {
        try
        {
            return uncorrected == null ? RoundTripLoop.run(pinger, firstSequence, count, histogram) :
                RoundTripLoop.runAtRate(pinger, firstSequence, count, rate, histogram, uncorrected);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
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

    private static long[] measureThroughput(
        final PingPongOptions options,
        final EchoSession session,
        final List<Contender> contenders,
        final long[][] nanos,
        final long[][] faults,
        final List<Map<String, Long>> faultsByThread,
        final CpuPerGib cpu,
        final PrintStream progress)
    {
        final int n = contenders.size();
        final List<String> names = contenders.stream().map(Contender::name).toList();
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

        final long[] allocated = new long[n];
        final int count = options.count();
        try (PageFaults process = PageFaults.open(PageFaults.PROCESS);
            PageFaults thread = PageFaults.open(PageFaults.THREAD))
        {
            final long[] sample = new long[BenchResult.FAULT_COUNTERS];
            final long[] ticks = new long[2];
            for (int r = 0; r < nanos.length; r++)
            {
                for (int k = 0; k < n; k++)
                {
                    final int c = (r + k) % n;
                    final Contender contender = contenders.get(c);
                    burst(session, contender, sequences, settleMessages(options.messageLength()), expected, null,
                        null);
                    final Map<String, Long> threadsBefore = ThreadFaults.sample();
                    final long before = THREADS.getCurrentThreadAllocatedBytes();
                    nanos[r][c] =
                        burst(session, contender, sequences, count, expected, process, thread, sample, ticks);
                    cpu.add(c, (long)count * options.messageLength(), ticks[CpuPerGib.SENDER], ticks[CpuPerGib.SINK]);
                    allocated[c] += THREADS.getCurrentThreadAllocatedBytes() - before;
                    ThreadFaults.accumulate(threadsBefore, ThreadFaults.sample(), faultsByThread.get(c));
                    for (int f = 0; f < sample.length; f++)
                    {
                        faults[c][f] = faults[c][f] < 0 || sample[f] < 0 ? -1 : faults[c][f] + sample[f];
                    }
                }
                final long[] round = nanos[r];
                final long bytes = (long)count * options.messageLength();
                progress.println(roundLine(r, "MB/s", names, c ->
                    String.format(Locale.ROOT, "%,.0f", bytes * 1e3 / round[c])));
            }
        }
        return allocated;
    }

    private static long burst(final EchoSession session, final Contender contender, final long[] sequences,
        final int count, final Payload expected, final PageFaults process, final PageFaults thread)
    {
        return burst(session, contender, sequences, count, expected, process, thread, null, null);
    }

    /**
     * One burst, timed, its acknowledged count and checksum checked; with fault readers, the faults of both sides
     * during it go into {@code faults}: sender process minor and major, sender thread minor and major, then the same
     * for the sink (-1 where unknown; memcpy has no sink: 0); and each side's process CPU ticks into {@code ticks}
     * ({@link CpuPerGib#SENDER}, {@link CpuPerGib#SINK}).
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
        final long[] faults,
        final long[] ticks)
    {
        if (contender.isMemcpy())
        {
            session.idle();
            sampleSender(process, thread, faults, false);
            final long ticksBefore = faults == null ? -1 : process.cpuTicks();
            final long start = System.nanoTime();
            contender.memcpy().copy(count);
            final long elapsed = System.nanoTime() - start;
            sampleSender(process, thread, faults, true);
            if (faults != null)
            {
                Arrays.fill(faults, SINK_PROCESS, faults.length, 0);
                ticks[CpuPerGib.SENDER] = CpuPerGib.delta(ticksBefore, process.cpuTicks());
                ticks[CpuPerGib.SINK] = 0;
            }
            return elapsed;
        }
        final int t = contender.transport();
        session.activate(t, contender.code());
        final long first = sequences[t];
        sequences[t] += count;
        try
        {
            sampleSender(process, thread, faults, false);
            final long ticksBefore = faults == null ? -1 : process.cpuTicks();
            final long start = System.nanoTime();
            final Acknowledgement acknowledgement = session.pinger(t).sendBurst(first, count, contender.send());
            final long elapsed = System.nanoTime() - start;
            sampleSender(process, thread, faults, true);
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
                acknowledgement.faults(faults, SINK_PROCESS);
                ticks[CpuPerGib.SENDER] = CpuPerGib.delta(ticksBefore, process.cpuTicks());
                ticks[CpuPerGib.SINK] = acknowledgement.cpuTicks();
            }
            return elapsed;
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException(contender.name() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Samples the sending process's and thread's fault counters into {@code faults} (none if it is null): the
     * values now, or their increase since the values it holds.
     */
    private static void sampleSender(
        final PageFaults process, final PageFaults thread, final long[] faults, final boolean since)
    {
        if (faults != null)
        {
            PageFaults.sample(process, thread, faults, SENDER_PROCESS, since);
        }
    }

    /**
     * The progress line of a round: {@code round <n> <what>:}, then each column's name and figure.
     */
    static String roundLine(final int round, final String what, final List<String> names,
        final IntFunction<String> figure)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d %s:", round + 1, what));
        for (int c = 0; c < names.size(); c++)
        {
            line.append("  ").append(names.get(c)).append(' ').append(figure.apply(c));
        }
        return line.toString();
    }
}
