package io.shmlink.bench.jmh;

import io.shmlink.bench.pingpong.Summary;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs ShmLink's JMH benchmarks against their Agrona baselines in interleaved rounds (A B A B ...), one short fork
 * each, and reports the median of per-round score ratios with their range, plus the allocation per op from
 * {@code -prof gc}. On a host that moves vCPUs around, a ratio taken within one round compares like with like; a
 * sequential A-then-B run compares two different machines.
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp ipc-bench/target/benchmarks.jar \
 *     io.shmlink.bench.jmh.InterleavedJmh [--rounds N] [--seconds S] [--only SPSC|MPSC]
 * </pre>
 */
public final class InterleavedJmh
{
    /**
     * Agrona's per-access bounds checks switched off, for the reference rows. ShmLink's rings need none (their
     * addresses are in range by construction, see {@code RingWriter}), while Agrona's rings check every access by
     * default; these rows show what ShmLink's ratio would be against an Agrona user who turned them off.
     */
    private static final String AGRONA_UNCHECKED = "-Dagrona.disable.bounds.checks=true";

    /**
     * A ShmLink benchmark and the Agrona benchmark it is compared with; for a group benchmark, the methods whose
     * scores count (the publishing ones), else null for the primary score; and JVM flags for the Agrona fork.
     *
     * @param label         what the row compares.
     * @param shmlink       the ShmLink benchmark's pattern.
     * @param agrona        the Agrona benchmark's pattern.
     * @param size          the message size parameter.
     * @param shmlinkMethod the ShmLink group method whose score counts, or null.
     * @param agronaMethod  the Agrona group method whose score counts, or null.
     * @param agronaFlag    JVM flags for the Agrona fork, or null.
     */
    private record Pair(String label, String shmlink, String agrona, String size, String shmlinkMethod,
        String agronaMethod, String agronaFlag)
    {
        Pair(final String label, final String shmlink, final String agrona, final String size)
        {
            this(label, shmlink, agrona, size, null, null, null);
        }

        Pair(final String label, final String shmlink, final String agrona, final String size,
            final String shmlinkMethod, final String agronaMethod)
        {
            this(label, shmlink, agrona, size, shmlinkMethod, agronaMethod, null);
        }

        /** The same comparison against Agrona with its bounds checks off. */
        Pair unchecked()
        {
            return new Pair(label + " *", shmlink, agrona, size, shmlinkMethod, agronaMethod, AGRONA_UNCHECKED);
        }

        /** Each row's contenders run in every round, so a row's ratios are always between runs of one round. */
        String key(final boolean ofShmLink)
        {
            return label + (ofShmLink ? ": shmlink" : ": agrona");
        }
    }

    private static final Pair SPSC_32 =
        new Pair("SPSC offer+poll 32 B", "SpscBenchmark.shmlink", "SpscBenchmark.agrona", "32");
    private static final Pair MPSC_1_32 =
        new Pair("MPSC 1 publisher 32 B", "MpscBenchmark.shmlinkOnePublisher", "MpscBenchmark.agronaOnePublisher",
            "32");

    private static final List<Pair> PAIRS = List.of(
        SPSC_32,
        new Pair("SPSC offer+poll 1 KiB", "SpscBenchmark.shmlink", "SpscBenchmark.agrona", "1024"),
        SPSC_32.unchecked(),
        new Pair("SPSC ring core 32 B", "RingCoreBenchmark.ringCore", "SpscBenchmark.agrona", "32"),
        new Pair("SPSC 2 threads 32 B", "SpscThroughputBenchmark.shmlink", "SpscThroughputBenchmark.agrona", "32",
            "shmlinkPublish", "agronaPublish"),
        new Pair("SPSC 2 threads 1 KiB", "SpscThroughputBenchmark.shmlink", "SpscThroughputBenchmark.agrona",
            "1024", "shmlinkPublish", "agronaPublish"),
        MPSC_1_32,
        new Pair("MPSC 1 publisher 1 KiB", "MpscBenchmark.shmlinkOnePublisher", "MpscBenchmark.agronaOnePublisher",
            "1024"),
        MPSC_1_32.unchecked(),
        new Pair("MPSC 2 publishers 32 B", "MpscBenchmark.shmlinkTwoPublishers",
            "MpscBenchmark.agronaTwoPublishers", "32"),
        new Pair("MPSC 2 publishers 1 KiB", "MpscBenchmark.shmlinkTwoPublishers",
            "MpscBenchmark.agronaTwoPublishers", "1024"));

    private InterleavedJmh()
    {
    }

    /**
     * Runs the interleaved rounds and prints the ratios.
     *
     * @param args {@code --rounds N}, {@code --only LABEL}.
     * @throws RunnerException if JMH fails.
     */
    public static void main(final String[] args) throws RunnerException
    {
        int rounds = 5;
        int seconds = 1;
        String only = "";
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException(
                    "usage: [--rounds N] [--seconds S] [--only LABEL-PREFIX, e.g. SPSC], not " + args[i]);
            }
        }
        final String prefix = only;
        final List<Pair> pairs = PAIRS.stream().filter(p -> p.label().startsWith(prefix)).toList();
        final Map<String, double[]> scores = new LinkedHashMap<>();
        final Map<String, Double> maxAllocation = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++)
        {
            for (final Pair pair : pairs)
            {
                for (final boolean shmlink : new boolean[]{true, false})
                {
                    final String benchmark = shmlink ? pair.shmlink() : pair.agrona();
                    final String method = shmlink ? pair.shmlinkMethod() : pair.agronaMethod();
                    final String key = pair.key(shmlink);
                    final RunResult result = run(benchmark, pair.size(), seconds, shmlink ? null : pair.agronaFlag());
                    final double[] old = scores.getOrDefault(key, new double[0]);
                    final double[] grown = Arrays.copyOf(old, old.length + 1);
                    grown[old.length] = method == null ? result.getPrimaryResult().getScore() :
                        result.getSecondaryResults().get(method).getScore();
                    scores.put(key, grown);
                    maxAllocation.merge(key, allocationPerOp(result), Math::max);
                }
            }
        }
        System.out.println();
        System.out.println("JMH throughput (ops/us), " + rounds + " interleaved rounds of one " + seconds +
            " s x 3 iterations (after 2 warm-up) per fork");
        System.out.printf(Locale.ROOT, "%-26s %14s %14s   %-24s %s%n",
            "benchmark", "shmlink", "agrona", "shmlink/agrona", "shmlink B/op (max)");
        for (final Pair pair : pairs)
        {
            final double[] shm = scores.get(pair.key(true));
            final double[] agr = scores.get(pair.key(false));
            final double[] ratios = new double[shm.length];
            for (int i = 0; i < shm.length; i++)
            {
                ratios[i] = shm[i] / agr[i];
            }
            final Summary ratio = Summary.of(ratios);
            System.out.printf(Locale.ROOT, "%-26s %14.2f %14.2f   %-24s %.3f%n", pair.label(),
                Summary.of(shm).median(), Summary.of(agr).median(), String.format(Locale.ROOT, "%.2f [%.2f..%.2f]",
                ratio.median(), ratio.min(), ratio.max()), maxAllocation.get(pair.key(true)));
        }
        if (pairs.stream().anyMatch(p -> p.agronaFlag() != null))
        {
            System.out.println("* against Agrona run with " + AGRONA_UNCHECKED + " (its default checks every access)");
        }
    }

    private static RunResult run(final String benchmark, final String size, final int seconds, final String flag)
        throws RunnerException
    {
        final ChainedOptionsBuilder options = new OptionsBuilder()
            .include("io\\.shmlink\\.bench\\.jmh\\." + benchmark.replace(".", "\\.") + "$")
            .param("size", size)
            .forks(1)
            .warmupIterations(2)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(3)
            .measurementTime(TimeValue.seconds(seconds))
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true);
        if (flag != null)
        {
            // replaces the @Fork annotation's appended flags, so those come again
            options.jvmArgsAppend("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", flag);
        }
        final List<RunResult> results = new ArrayList<>(new Runner(options.build()).run());
        if (results.size() != 1)
        {
            throw new IllegalStateException(benchmark + " size=" + size + " gave " + results.size() + " results");
        }
        final BenchmarkParams params = results.get(0).getParams();
        if (!params.getParam("size").equals(size))
        {
            throw new IllegalStateException("ran " + params.getBenchmark() + " with the wrong size");
        }
        return results.get(0);
    }

    private static double allocationPerOp(final RunResult result)
    {
        for (final Map.Entry<String, Result> entry : result.getSecondaryResults().entrySet())
        {
            if (entry.getKey().endsWith("gc.alloc.rate.norm"))
            {
                return entry.getValue().getScore();
            }
        }
        throw new IllegalStateException("no gc.alloc.rate.norm: the GC profiler did not run");
    }
}
