package io.shmlink.bench.wakeup;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.bench.pingpong.Summary;
import io.shmlink.bench.ShmTempDirectory;
import io.shmlink.bench.pingpong.ChildJvm;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.wait.ReaderWait;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a blocked reader costs and how fast it wakes: a subscriber in another JVM, idle long enough to be asleep
 * on its doorbell (default {@link io.shmlink.shm.wait.ReaderWait}), against a thread of the same JVM blocked in a
 * Unix-domain socket read, in interleaved rounds.
 * <ul>
 *   <li>Wake-up latency: the parent waits {@code --gap} (default 1 ms, well past the 100 us of spinning at most),
 *   stamps {@code System.nanoTime()} (one clock for all processes on Linux) into a message and sends
 *   it; the child's handler computes the delay on arrival and sends it back, off the clock.</li>
 *   <li>CPU per message on that paced stream: the CPU time over each reader's phase ({@link ProcessCpu}) of the
 *   child's thread that reads, and of the whole child (its liveness thread, and the idle reader's own wake-ups: the
 *   shm reader wakes every 10 ms during the socket's phase), divided by the messages of the phase; what a reader
 *   costs on a stream slower than its spin.</li>
 *   <li>Idle CPU: the child's process CPU time over {@code --idle} seconds (default 5) in which both readers are
 *   blocked, liveness thread included, as a share of one core.</li>
 * </ul>
 * Run: {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp ipc-bench/target/benchmarks.jar
 * io.shmlink.bench.wakeup.WakeupLatency [--rounds 10] [--count 1000] [--gap-us 1000] [--idle 5] [--spin-us N]
 * [--yield-us N] [--max-sleep-ms N]}
 */
public final class WakeupLatency
{
    /** The child's thread that reads the shm channel: its CPU time is read by this name. */
    private static final String SHM_READER = "shm-reader";

    /** The child's thread that reads the socket. */
    private static final String UDS_READER = "uds-reader";

    /** What an offer that rings the doorbell costs the publisher. */
    private static final Histogram OFFER_COST = new Histogram(3);

    private WakeupLatency()
    {
    }

    /**
     * Runs the measurement and prints its table.
     *
     * @param args none.
     * @throws Exception if the child or the channels fail.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("--child"))
        {
            child(Path.of(args[1]), ReaderWait.of(Duration.ofNanos(Long.parseLong(args[2])),
                Duration.ofNanos(Long.parseLong(args[3]))).withMaxSleep(Duration.ofMillis(Long.parseLong(args[4]))));
            return;
        }
        int rounds = 10;
        int count = 1_000;
        long gapNanos = TimeUnit.MICROSECONDS.toNanos(1_000);
        int idleSeconds = 5;
        long spinNanos = ReaderWait.blocking().spinNanos();
        long yieldNanos = ReaderWait.blocking().yieldNanos();
        long maxSleepMillis = TimeUnit.NANOSECONDS.toMillis(ReaderWait.blocking().maxSleepNanos());
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                case "--gap-us" -> gapNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[i + 1]));
                case "--idle" -> idleSeconds = Integer.parseInt(args[i + 1]);
                case "--spin-us" -> spinNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[i + 1]));
                case "--yield-us" -> yieldNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[i + 1]));
                case "--max-sleep-ms" -> maxSleepMillis = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (ShmTempDirectory temp = ShmTempDirectory.create("wakeup-");
            ShmRegistry registry = ShmRegistry.open(temp.path(),
                new ShmRegistry.Options().readerWait(ReaderWait.of(Duration.ZERO, Duration.ZERO)));
            ServerSocketChannel udsServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            registry.create("ping", ChannelConfig.spsc(64 * 1024));
            registry.create("pong", ChannelConfig.spsc(64 * 1024));
            udsServer.bind(UnixDomainSocketAddress.of(temp.path().resolve("uds.sock")));
            try (ChildJvm child = ChildJvm.start("wake-up child", List.of("-Xmx256m"), WakeupLatency.class,
                List.of("--child", temp.path().toString(), Long.toString(spinNanos), Long.toString(yieldNanos),
                    Long.toString(maxSleepMillis)));
                SocketChannel uds = udsServer.accept())
            {
                child.awaitLine("READY");
                final Publisher ping = registry.publisher("ping");
                final Subscriber pong = registry.subscriber("pong");
                final Histogram shm = new Histogram(3);
                final Histogram socket = new Histogram(3);
                final double[] ratios = new double[rounds];
                final double[] threadRatios = new double[rounds];
                final double[] processRatios = new double[rounds];
                ProcessCpu shmCpu = new ProcessCpu(0, 0);
                ProcessCpu udsCpu = new ProcessCpu(0, 0);
                final long pid = child.pid();
                shmPhase(ping, pong, gapNanos, Math.max(200, count / 5), new Histogram(3), pid);
                udsPhase(uds, gapNanos, Math.max(200, count / 5), new Histogram(3), pid);
                for (int round = 0; round < rounds; round++)
                {
                    final Histogram shmRound = new Histogram(3);
                    final Histogram udsRound = new Histogram(3);
                    final ProcessCpu shmRoundCpu;
                    final ProcessCpu udsRoundCpu;
                    if (round % 2 == 0)
                    {
                        shmRoundCpu = shmPhase(ping, pong, gapNanos, count, shmRound, pid);
                        udsRoundCpu = udsPhase(uds, gapNanos, count, udsRound, pid);
                    }
                    else
                    {
                        udsRoundCpu = udsPhase(uds, gapNanos, count, udsRound, pid);
                        shmRoundCpu = shmPhase(ping, pong, gapNanos, count, shmRound, pid);
                    }
                    shm.add(shmRound);
                    socket.add(udsRound);
                    ratios[round] = (double)shmRound.getValueAtPercentile(50) / udsRound.getValueAtPercentile(50);
                    shmCpu = shmCpu.plus(shmRoundCpu);
                    udsCpu = udsCpu.plus(udsRoundCpu);
                    threadRatios[round] = (double)shmRoundCpu.threadNanos() / Math.max(1, udsRoundCpu.threadNanos());
                    processRatios[round] =
                        (double)shmRoundCpu.processNanos() / Math.max(1, udsRoundCpu.processNanos());
                }
                final double cpu = idleCpuShare(pid, idleSeconds);
                report(shm, socket, ratios, gapNanos, cpu, idleSeconds);
                reportPacedCpu(shmCpu, udsCpu, (long)rounds * count, threadRatios, processRatios, gapNanos);
            }
        }
    }

    /**
     * {@code count} wake-ups of the shm reader, a message every {@code gapNanos}.
     *
     * @return the CPU time the reader's JVM and its reading thread spent meanwhile.
     */
    private static ProcessCpu shmPhase(final Publisher ping, final Subscriber pong, final long gapNanos,
        final int count, final Histogram shm, final long pid)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        final long[] reply = new long[1];
        final ProcessCpu cpuBefore = ProcessCpu.read(pid, SHM_READER);
        for (int i = 0; i < count; i++)
        {
            LockSupport.parkNanos(gapNanos);
            final long sent = System.nanoTime();
            message.putLong(0, sent);
            while (ping.offer(message, 0, 8) < 0)
            {
                Thread.onSpinWait();
            }
            OFFER_COST.recordValue(System.nanoTime() - sent);
            // Waits for the reply asleep, as the socket side does in read(): a parent spinning here would hold one
            // of two cores while the child's woken thread looks for one, and tax only this side's samples.
            while (pong.poll((buffer, offset, length) -> reply[0] = buffer.getLong(offset), 1, 1, TimeUnit.SECONDS) ==
                0)
            {
                Thread.onSpinWait();
            }
            shm.recordValue(reply[0]);
        }
        return ProcessCpu.read(pid, SHM_READER).minus(cpuBefore);
    }

    /**
     * {@code count} wake-ups of the socket reader, a message every {@code gapNanos}.
     *
     * @return the CPU time the reader's JVM and its reading thread spent meanwhile.
     */
    private static ProcessCpu udsPhase(final SocketChannel uds, final long gapNanos, final int count,
        final Histogram socket, final long pid) throws IOException
    {
        final ByteBuffer udsMessage = ByteBuffer.allocateDirect(8);
        final ProcessCpu cpuBefore = ProcessCpu.read(pid, UDS_READER);
        for (int i = 0; i < count; i++)
        {
            LockSupport.parkNanos(gapNanos);
            udsMessage.clear();
            udsMessage.putLong(0, System.nanoTime());
            while (udsMessage.hasRemaining())
            {
                uds.write(udsMessage);
            }
            udsMessage.clear();
            while (udsMessage.hasRemaining())
            {
                if (uds.read(udsMessage) < 0)
                {
                    throw new IOException("child closed its socket");
                }
            }
            socket.recordValue(udsMessage.getLong(0));
        }
        return ProcessCpu.read(pid, UDS_READER).minus(cpuBefore);
    }

    private static double idleCpuShare(final long pid, final int seconds)
    {
        final ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
        final Duration before = child.info().totalCpuDuration().orElseThrow();
        final long start = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds)); // the window measured: nothing is sent
        final long wall = System.nanoTime() - start;
        final Duration after = child.info().totalCpuDuration().orElseThrow();
        return (double)after.minus(before).toNanos() / wall;
    }

    private static void report(final Histogram shm, final Histogram uds, final double[] ratios, final long gapNanos,
        final double idleCpu, final int idleSeconds)
    {
        final Summary ratio = Summary.of(ratios);
        System.out.printf(Locale.ROOT, "wake-up latency of a reader idle for %d us (ns, from send to handler)%n",
            gapNanos / 1000);
        System.out.printf("%-22s %9s %9s %9s %9s %9s %9s%n", "reader", "p50", "p90", "p99", "p99.9", "max", "count");
        row("shmlink blocking poll", shm);
        row("uds blocking read", uds);
        System.out.printf(Locale.ROOT, "publisher's offer that rang: p50 %d ns, p99 %d ns, max %d ns%n",
            OFFER_COST.getValueAtPercentile(50), OFFER_COST.getValueAtPercentile(99), OFFER_COST.getMaxValue());
        System.out.printf(Locale.ROOT, "shmlink p50 / uds p50, median of %d rounds: %.2f [%.2f..%.2f]%n",
            ratios.length, ratio.median(), ratio.min(), ratio.max());
        System.out.printf(Locale.ROOT,
            "idle reader JVM (shm subscriber asleep + uds reader blocked + liveness thread): %.3f%% of a core" +
                " over %d s%n",
            idleCpu * 100, idleSeconds);
    }

    private static void reportPacedCpu(final ProcessCpu shm, final ProcessCpu uds, final long messages,
        final double[] threadRatios, final double[] processRatios, final long gapNanos)
    {
        final Summary thread = Summary.of(threadRatios);
        final Summary process = Summary.of(processRatios);
        System.out.printf(Locale.ROOT, "CPU per message, a message every %d us (/proc/<pid>/task/*/schedstat; ratio:" +
            " shmlink / uds, median of %d rounds)%n", gapNanos / 1000, threadRatios.length);
        System.out.printf(Locale.ROOT, "  reading thread: shmlink %.1f us, uds %.1f us; ratio %.2f [%.2f..%.2f]%n",
            shm.threadNanos() / 1000.0 / messages, uds.threadNanos() / 1000.0 / messages, thread.median(),
            thread.min(), thread.max());
        System.out.printf(Locale.ROOT, "  reader JVM, every thread (liveness, the idle reader's own wake-ups): " +
            "shmlink %.1f us, uds %.1f us; ratio %.2f [%.2f..%.2f]%n", shm.processNanos() / 1000.0 / messages,
            uds.processNanos() / 1000.0 / messages, process.median(), process.min(), process.max());
    }

    private static void row(final String name, final Histogram h)
    {
        System.out.printf("%-22s %9d %9d %9d %9d %9d %9d%n", name, h.getValueAtPercentile(50),
            h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
            h.getTotalCount());
    }

    private static void child(final Path directory, final ReaderWait wait) throws IOException, InterruptedException
    {
        final ShmRegistry registry = ShmRegistry.open(directory, new ShmRegistry.Options().readerWait(wait));
        final Subscriber ping = registry.subscriber("ping");
        final Publisher pong = registry.publisher("pong");
        final SocketChannel uds = SocketChannel.open(UnixDomainSocketAddress.of(directory.resolve("uds.sock")));
        // Each reader counts down once it runs: by then the JVM has given the kernel its name, which the parent's
        // CPU reads look it up by.
        final CountDownLatch running = new CountDownLatch(2);
        final Thread socketReader = new Thread(() ->
        {
            running.countDown();
            echoDelays(uds);
        }, UDS_READER);
        socketReader.setDaemon(true);
        socketReader.start();
        final Thread shmReader = new Thread(() ->
        {
            running.countDown();
            echoDelays(ping, pong);
        }, SHM_READER);
        shmReader.start();
        running.await();
        // The watcher blocks in a read of standard input: nothing runs, nothing allocates, until the parent goes.
        ChildJvm.exitWithParent();
        System.out.println("READY");
        System.out.flush();
    }

    private static void echoDelays(final Subscriber ping, final Publisher pong)
    {
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[8]);
        final MessageHandler handler =
            (buffer, offset, length) -> reply.putLong(0, System.nanoTime() - buffer.getLong(offset));
        while (true)
        {
            if (ping.poll(handler, 1, 1, TimeUnit.SECONDS) == 1)
            {
                while (pong.offer(reply, 0, 8) < 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
    }

    private static void echoDelays(final SocketChannel uds)
    {
        final ByteBuffer message = ByteBuffer.allocateDirect(8);
        try
        {
            while (true)
            {
                message.clear();
                while (message.hasRemaining())
                {
                    if (uds.read(message) < 0)
                    {
                        System.exit(0);
                    }
                }
                message.putLong(0, System.nanoTime() - message.getLong(0));
                message.clear();
                while (message.hasRemaining())
                {
                    uds.write(message);
                }
            }
        }
        catch (final IOException ex)
        {
            System.exit(0);
        }
    }
}
