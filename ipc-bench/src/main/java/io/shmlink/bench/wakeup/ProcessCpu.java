package io.shmlink.bench.wakeup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of a process and of one of its threads, to the nanosecond, read at one moment or taken over a phase: the
 * run time in {@code /proc/<pid>/task/<tid>/schedstat} (first field, nanoseconds on the CPU), summed over the
 * process's threads, and that of the thread named. {@code utime + stime} count in 10 ms ticks, too coarse for a
 * reader that spends microseconds per message. A thread that ends between two reads takes its time with it, so
 * the process figure is good only around phases in which the process starts and ends no threads of its own.
 *
 * @param processNanos every live thread of the process.
 * @param threadNanos  the thread named.
 */
record ProcessCpu(long processNanos, long threadNanos)
{
    /**
     * Reads both in one pass over the process's threads.
     *
     * @param pid    the process.
     * @param thread the thread's name, as the JVM gives it to the kernel ({@code /proc/<pid>/task/<tid>/comm}, at
     *               most 15 characters).
     * @return the run times so far.
     * @throws UncheckedIOException if the process is gone, its threads cannot be read, or none has that name.
     */
    static ProcessCpu read(final long pid, final String thread)
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long process = 0;
        long named = -1;
        try (Stream<Path> threads = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)threads::iterator)
            {
                final long run = runNanos(task.resolve("schedstat"));
                process += run;
                if (named < 0 && name(task).equals(thread))
                {
                    named = run;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("CPU time of process " + pid, ex);
        }
        if (named < 0)
        {
            throw new UncheckedIOException(new IOException("process " + pid + " has no thread named " + thread));
        }
        return new ProcessCpu(process, named);
    }

    /**
     * @param before an earlier reading.
     * @return the time run since it.
     */
    ProcessCpu minus(final ProcessCpu before)
    {
        return new ProcessCpu(processNanos - before.processNanos, threadNanos - before.threadNanos);
    }

    /**
     * @param other another phase's.
     * @return both phases' together.
     */
    ProcessCpu plus(final ProcessCpu other)
    {
        return new ProcessCpu(processNanos + other.processNanos, threadNanos + other.threadNanos);
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
