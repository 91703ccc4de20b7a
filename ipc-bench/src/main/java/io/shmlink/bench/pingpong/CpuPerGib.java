package io.shmlink.bench.pingpong;

/**
 * CPU time per GiB moved, of the sending process and of the sink's, over a throughput run's measured bursts only:
 * what a transport costs in cores, next to what it moves in a second. A spinning wait and a blocked one can move the
 * same bytes in the same time and cost very different CPU.
 * <p>
 * Each side's {@code utime + stime} ({@link PageFaults#cpuTicks()}, from {@code /proc/self/stat}, every thread of
 * the process) is read around each measured burst: the sender's just before its first send and just after the
 * acknowledgement arrived, as its page faults are; the sink's at the first message of the burst and at the message
 * that asks for the acknowledgement ({@link BurstSink}), so that what a spinning sink burns between bursts, while
 * the sender is between contenders, is left out. Warm-up and settling bursts are never counted, and the bytes that
 * the time is divided by are the measured bursts' alone.
 * <p>
 * The kernel counts CPU time in clock ticks of {@value #TICKS_PER_SECOND} per second ({@code USER_HZ}, fixed by its
 * ABI on the architectures the JDK runs on; {@code getconf CLK_TCK}), charged to whichever thread runs when a tick
 * lands: one burst's figure is good to a tick or two, and the sum over a run's rounds is what the report divides.
 * Use bursts of a few hundred milliseconds or more.
 */
final class CpuPerGib
{
    /** Index of the sending process in {@link #add} and {@link #secondsPerGib}. */
    static final int SENDER = 0;

    /** Index of the sink's process. */
    static final int SINK = 1;

    /** Clock ticks per second of {@code utime} and {@code stime} ({@code USER_HZ}). */
    static final long TICKS_PER_SECOND = 100;

    private static final double BYTES_PER_GIB = 1L << 30;

    private final long[][] ticks;
    private final long[] bytes;

    /**
     * @param columns how many contenders; each starts at 0 ticks and 0 bytes.
     */
    CpuPerGib(final int columns)
    {
        this.ticks = new long[columns][2];
        this.bytes = new long[columns];
    }

    /**
     * Adds one measured burst.
     *
     * @param column      the contender.
     * @param burstBytes  bytes the burst moved.
     * @param senderTicks the sending process's CPU ticks over the burst, or -1 if unknown.
     * @param sinkTicks   the sink process's, or -1 if unknown; 0 where there is no sink (memcpy).
     */
    void add(final int column, final long burstBytes, final long senderTicks, final long sinkTicks)
    {
        bytes[column] += burstBytes;
        ticks[column][SENDER] = sum(ticks[column][SENDER], senderTicks);
        ticks[column][SINK] = sum(ticks[column][SINK], sinkTicks);
    }

    /**
     * @param column the contender.
     * @param side   {@link #SENDER} or {@link #SINK}.
     * @return CPU ticks that side's process used in the contender's measured bursts, or -1 if unknown.
     */
    long ticks(final int column, final int side)
    {
        return ticks[column][side];
    }

    /**
     * @param column the contender.
     * @param side   {@link #SENDER} or {@link #SINK}.
     * @return CPU seconds that side's process used per GiB the contender's measured bursts moved; -1 if unknown or
     * nothing was measured.
     */
    double secondsPerGib(final int column, final int side)
    {
        final long used = ticks[column][side];
        if (used < 0 || bytes[column] == 0)
        {
            return -1;
        }
        return (double)used / TICKS_PER_SECOND * BYTES_PER_GIB / bytes[column];
    }

    /**
     * @param before a counter before a window, or -1.
     * @param after  the same counter after it, or -1.
     * @return what it rose by, or -1 if either is unknown.
     */
    static long delta(final long before, final long after)
    {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private static long sum(final long total, final long more)
    {
        return total < 0 || more < 0 ? -1 : total + more;
    }
}
