package io.shmlink.bench.pingpong;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the page-fault counters of this process, or of one of its threads, from Linux's {@code /proc/self/stat}
 * ({@code /proc/thread-self/stat}): fields 10 ({@code minflt}, faults served without I/O, such as a first touch of
 * a page) and 12 ({@code majflt}, faults that read from a file or swap); and, from the same read, the CPU time it
 * has used, fields 14 and 15 ({@code utime} and {@code stime}, in clock ticks: {@link CpuPerGib}). The file is
 * opened once and re-read in place into one direct buffer, so a {@link #sample()} allocates nothing; where the file
 * does not exist (not Linux) every counter is -1.
 * <p>
 * {@code /proc/thread-self} names the thread that opens it: open a thread's reader on that thread.
 */
public final class PageFaults implements AutoCloseable
{
    /** The whole process. */
    public static final Path PROCESS = Path.of("/proc/self/stat");

    /** The thread that opens the reader. */
    public static final Path THREAD = Path.of("/proc/thread-self/stat");

    private static final int MINOR_FIELD = 10;
    private static final int MAJOR_FIELD = 12;
    private static final int USER_TIME_FIELD = 14;
    private static final int SYSTEM_TIME_FIELD = 15;
    private static final int FIRST_FIELD_AFTER_NAME = 3;

    /**
     * Counters {@link #sample(PageFaults, PageFaults, long[], int, boolean)} fills: a process's minor and major
     * faults, then a thread's.
     */
    static final int COUNTERS = 4;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
    private long minor = -1;
    private long major = -1;
    private long cpuTicks = -1;

    private PageFaults(final FileChannel channel)
    {
        this.channel = channel;
    }

    /**
     * @param stat a {@code stat} file of {@code /proc}, such as {@link #PROCESS} or {@link #THREAD}.
     * @return a reader; one that reports -1 if the file cannot be opened.
     */
    public static PageFaults open(final Path stat)
    {
        FileChannel channel;
        try
        {
            channel = FileChannel.open(stat, StandardOpenOption.READ);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            channel = null;
        }
        return new PageFaults(channel);
    }

    /**
     * Reads the counters now.
     *
     * @return this reader, for chaining; the counters are -1 if the file could not be read.
     */
    public PageFaults sample()
    {
        minor = -1;
        major = -1;
        cpuTicks = -1;
        if (channel == null)
        {
            return this;
        }
        buffer.clear();
        try
        {
            int read;
            while (buffer.hasRemaining() && (read = channel.read(buffer, buffer.position())) > 0)
            {
                buffer.position(buffer.position() + read);
            }
        }
        catch (final IOException ex)
        {
            return this;
        }
        buffer.flip();
        minor = field(buffer, MINOR_FIELD);
        major = field(buffer, MAJOR_FIELD);
        final long user = field(buffer, USER_TIME_FIELD);
        final long system = field(buffer, SYSTEM_TIME_FIELD);
        cpuTicks = user < 0 || system < 0 ? -1 : user + system;
        return this;
    }

    /**
     * Samples a process's reader and a thread's into {@value #COUNTERS} counters: the process's minor and major
     * faults, then the thread's.
     *
     * @param process the process's reader.
     * @param thread  the thread's reader.
     * @param into    where the counters go.
     * @param at      the index of the first.
     * @param since   whether each counter becomes its increase since the value it holds ({@link CpuPerGib#delta})
     *                rather than the value now.
     */
    static void sample(
        final PageFaults process, final PageFaults thread, final long[] into, final int at, final boolean since)
    {
        process.sample();
        thread.sample();
        into[at] = since ? CpuPerGib.delta(into[at], process.minor) : process.minor;
        into[at + 1] = since ? CpuPerGib.delta(into[at + 1], process.major) : process.major;
        into[at + 2] = since ? CpuPerGib.delta(into[at + 2], thread.minor) : thread.minor;
        into[at + 3] = since ? CpuPerGib.delta(into[at + 3], thread.major) : thread.major;
    }

    /**
     * @return minor faults as of the last {@link #sample()}, or -1.
     */
    public long minor()
    {
        return minor;
    }

    /**
     * @return major faults as of the last {@link #sample()}, or -1.
     */
    public long major()
    {
        return major;
    }

    /**
     * @return CPU time used, user and system ({@code utime + stime}), in clock ticks, as of the last
     * {@link #sample()}, or -1.
     */
    public long cpuTicks()
    {
        return cpuTicks;
    }

    /**
     * One numeric field of a {@code stat} line. Field 2, the command name, is in parentheses and may hold spaces
     * and parentheses itself, so fields are counted from the last {@code ')'}.
     *
     * @param stat   the line, from position to limit.
     * @param number the field's number as {@code man 5 proc} gives it, from 1; at least 3.
     * @return its value, or -1 if the line has no such unsigned decimal field.
     */
    static long field(final ByteBuffer stat, final int number)
    {
        int at = -1;
        for (int i = stat.limit() - 1; i >= stat.position(); i--)
        {
            if (stat.get(i) == ')')
            {
                at = i + 1;
                break;
            }
        }
        if (at < 0 || number < FIRST_FIELD_AFTER_NAME)
        {
            return -1;
        }
        int field = FIRST_FIELD_AFTER_NAME - 1;
        final int end = stat.limit();
        while (at < end)
        {
            while (at < end && stat.get(at) == ' ')
            {
                at++;
            }
            if (at >= end)
            {
                break;
            }
            field++;
            if (field == number)
            {
                long value = 0;
                int digits = 0;
                while (at < end && stat.get(at) >= '0' && stat.get(at) <= '9')
                {
                    value = value * 10 + (stat.get(at++) - '0');
                    digits++;
                }
                final boolean delimited = at == end || stat.get(at) == ' ' || stat.get(at) == '\n';
                return digits > 0 && delimited ? value : -1;
            }
            while (at < end && stat.get(at) != ' ')
            {
                at++;
            }
        }
        return -1;
    }

    /**
     * Closes the file.
     */
    @Override
    public void close()
    {
        // nothing was written: nothing lost
        CloseHelper.quietClose(channel);
    }
}
