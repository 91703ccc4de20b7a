package io.shmlink.bench.wakeup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time of a process, or of one of its threads, to the nanosecond: the run time in
 * {@code /proc/<pid>/task/<tid>/schedstat} (first field, nanoseconds on the CPU), summed over the process's threads. {@code utime + stime} count in
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

    /**
     * @param pid    the process.
     * @param thread the thread's name, as the JVM gives it to the kernel ({@code /proc/<pid>/task/<tid>/comm}, at
     *               most 15 characters).
     * @return nanoseconds that thread has run.
     * @throws UncheckedIOException if the process is gone or has no such thread.
     */
    static long threadNanos(final long pid, final String thread)
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)threads::iterator)
            {
                if (name(task).equals(thread))
                {
                    return runNanos(task.resolve("schedstat"));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("CPU time of thread " + thread + " of process " + pid, ex);
        }
        throw new UncheckedIOException(new IOException("process " + pid + " has no thread named " + thread));
    }

    private static String name(final Path task) throws IOException
    {
        try
        {
            return Files.readString(task.resolve("comm")).trim();
        }
        catch (final NoSuchFileException ex)
        {
            return ""; // the thread ended after the listing
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
