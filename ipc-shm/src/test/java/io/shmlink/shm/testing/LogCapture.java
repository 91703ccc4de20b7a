package io.shmlink.shm.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Test kit: the records a class logs (through {@code System.Logger}, which the JDK backs with java.util.logging) from
 * {@link #of(Class)} until {@link #close()}, from any thread.
 * <pre>
 * try (LogCapture log = LogCapture.of(ShmSubscriber.class))
 * {
 *     ...
 *     assertEquals(1, log.records().size());
 * }
 * </pre>
 */
public final class LogCapture extends Handler implements AutoCloseable
{
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(final Logger logger)
    {
        this.logger = logger;
    }

    /**
     * Starts capturing what {@code source} logs.
     *
     * @param source the class whose logger, named after it, is listened to.
     * @return the capture, to be closed when done.
     */
    public static LogCapture of(final Class<?> source)
    {
        final LogCapture capture = new LogCapture(Logger.getLogger(source.getName()));
        capture.logger.addHandler(capture);
        return capture;
    }

    /**
     * @return what was logged so far, oldest first; a live view that later records join.
     */
    public List<LogRecord> records()
    {
        return records;
    }

    /**
     * Keeps the record.
     *
     * @param record what was logged.
     */
    @Override
    public void publish(final LogRecord record)
    {
        records.add(record);
    }

    /**
     * Nothing to flush: records are kept as they come.
     */
    @Override
    public void flush()
    {
    }

    /**
     * Stops capturing; the records stay readable.
     */
    @Override
    public void close()
    {
        logger.removeHandler(this);
    }
}
