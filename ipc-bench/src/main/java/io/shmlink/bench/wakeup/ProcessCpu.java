package io.shmlink.bench.wakeup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time of a process to the nanosecond: the sum of its threads' run time in
 * {@code /proc/<pid>/task/<tid>/schedstat} (first field, nanoseconds on the CPU). {@code utime + stime} count in
 * 10 ms ticks, too coarse for a reader that spends microseconds per message. A thread that ends between two reads
 * takes its time with it, so read around phases in which the process starts and ends no threads of its own.
 */
final class ProcessCpu
{
    private ProcessCpu()
    {
    }

    /**
     * @param pid the process.
     * @return nanoseconds its live threads have run.
     * @throws UncheckedIOException if the process is gone or its threads cannot be read.
     */
    static long nanos(final long pid)
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks))
        {
            long sum = 0;
            for (final Path thread : (Iterable<Path>)threads::iterator)
            {
                sum += runNanos(thread.resolve("schedstat"));
            }
            return sum;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("CPU time of process " + pid, ex);
        }
    }

    private static long runNanos(final Path schedstat) throws IOException
    {
        final String line;
        try
        {
            line = Files.readString(schedstat).trim();
        }
        catch (final NoSuchFileException ex)
        {
            return 0; // the thread ended after the listing
        }
        final int space = line.indexOf(' ');
        return Long.parseLong(space < 0 ? line : line.substring(0, space));
    }
}
