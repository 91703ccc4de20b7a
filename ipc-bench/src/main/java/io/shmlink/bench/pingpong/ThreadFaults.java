package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Minor page faults of this process by thread, from {@code /proc/self/task/<tid>/stat}: which threads take the
 * faults that the process counter shows and the sending thread's own counter does not (the JIT's compiler threads,
 * the garbage collector's, or the library's liveness thread). Threads are named as the kernel knows them (the
 * first 15 characters of the Java name); threads of one name are summed. Allocates: for between bursts, not in them.
 */
final class ThreadFaults
{
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final int MINOR_FIELD = 10;

    private ThreadFaults()
    {
    }

    /**
     * Reads every thread's counter now but the calling thread's, which this sampling itself makes fault (it
     * allocates): that thread's own count comes from {@link PageFaults#THREAD}, read around the timed part alone.
     *
     * @return thread name to minor faults so far; empty where {@code /proc} cannot be read.
     */
    static Map<String, Long> sample()
    {
        final Map<String, Long> byName = new HashMap<>();
        final Path self = currentTask();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            for (final Path task : tasks)
            {
                if (task.getFileName().equals(self))
                {
                    continue; // the sampling thread: its own counter is read around the bursts alone
                }
                final byte[] stat;
                try
                {
                    stat = Files.readAllBytes(task.resolve("stat"));
                }
                catch (final IOException ended)
                {
                    continue; // the thread ended after the listing
                }
                final String name = name(stat);
                final long minor = PageFaults.field(ByteBuffer.wrap(stat), MINOR_FIELD);
                if (name != null && minor >= 0)
                {
                    byName.merge(name, minor, Long::sum);
                }
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return Map.of();
        }
        return byName;
    }

    /** The calling thread's id, as the name of its {@code /proc/self/task} entry; null if unknown. */
    private static Path currentTask()
    {
        try
        {
            return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName(); // "<pid>/task/<tid>"
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null;
        }
    }

    /**
     * Adds what each thread took between two samples to a running total. A thread that ended in between drops out
     * (its faults are lost to this count, not to the process counter); one that started counts from 0.
     *
     * @param before a sample.
     * @param after  a later one.
     * @param total  thread name to faults, added to.
     */
    static void accumulate(final Map<String, Long> before, final Map<String, Long> after, final Map<String, Long> total)
    {
        after.forEach((name, minor) ->
        {
            final long taken = minor - before.getOrDefault(name, 0L);
            if (taken > 0)
            {
                total.merge(name, taken, Long::sum);
            }
        });
    }

    /**
     * The threads that took the most.
     *
     * @param total thread name to faults.
     * @param limit how many to keep.
     * @return the top ones, most first.
     */
    static Map<String, Long> top(final Map<String, Long> total, final int limit)
    {
        return total.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
            .limit(limit)
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** Field 2 of a stat line: the name between the first '(' and the last ')'. */
    static String name(final byte[] stat)
    {
        final String line = new String(stat, StandardCharsets.US_ASCII);
        final int open = line.indexOf('(');
        final int close = line.lastIndexOf(')');
        return open < 0 || close <= open ? null : line.substring(open + 1, close);
    }
}
