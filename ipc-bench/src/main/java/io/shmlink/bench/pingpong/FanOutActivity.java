package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * The word in a fan-out transport's directory through which the echo child's subscriber tells the other
 * subscribers' JVMs ({@link FanOutSubscriberMain}) what to do: idle, read pings ({@link #ECHO}), or sink a
 * throughput burst in one of the {@link SinkMode}s. The {@link EchoControl} word names one transport for the echo
 * child; this word extends that to a fan-out transport's other subscribers, so that they spin only while their
 * transport is measured, as the echo does, and idle (back off) the rest of the run.
 * <p>
 * The echo child's fan-out {@link Echo} writes it on entering {@link Echo#run} or {@link Echo#sink} and sets it back
 * to {@link #IDLE} on leaving; the other subscribers only read it. Written only between bursts and rounds, so
 * reading it costs an L1 hit. Kept in a file of its own, one page, so that nothing else shares its cache line.
 */
final class FanOutActivity implements AutoCloseable
{
    /** Nothing to read: back off. */
    static final long IDLE = -1;

    /** Ping-pong: read every ping. */
    static final long ECHO = 0;

    /** Name of the file in the transport's directory. */
    static final String FILE = "fan-out-activity";

    private static final int FILE_LENGTH = 4096;

    /** {@code SinkMode.values()} copies the array on every call; a side looks its mode up once per poll. */
    private static final SinkMode[] SINK_MODES = SinkMode.values();

    private final MappedFile file;
    private final UnsafeBuffer buffer;

    private FanOutActivity(final MappedFile file)
    {
        this.file = file;
        this.buffer = file.buffer();
    }

    /**
     * Parent, in {@link Transport#create}: creates the file, saying {@link #IDLE}.
     *
     * @param directory the transport's directory.
     */
    static void create(final Path directory)
    {
        try (FanOutActivity activity = new FanOutActivity(MappedFile.createNew(directory.resolve(FILE), FILE_LENGTH)))
        {
            activity.set(IDLE);
        }
    }

    /**
     * Maps the file created by {@link #create}.
     *
     * @param directory the transport's directory.
     * @return the word.
     */
    static FanOutActivity open(final Path directory)
    {
        return new FanOutActivity(MappedFile.mapExisting(directory.resolve(FILE)));
    }

    /**
     * @param mode how to read a burst.
     * @return the word's value for sinking in that mode: above {@link #ECHO}.
     */
    static long sink(final SinkMode mode)
    {
        return 1 + mode.ordinal();
    }

    /**
     * @param value a value of the word.
     * @return whether it asks for a throughput sink.
     */
    static boolean isSink(final long value)
    {
        return value > ECHO;
    }

    /**
     * @param value a value for which {@link #isSink} holds.
     * @return the sink mode it names.
     */
    static SinkMode sinkMode(final long value)
    {
        return SINK_MODES[(int)(value - 1)];
    }

    /**
     * The echo child's subscriber: says what the others are to do now (a release store: a subscriber that reads a
     * message sent after this store also reads this value).
     *
     * @param value {@link #IDLE}, {@link #ECHO} or a {@link #sink} value.
     */
    void set(final long value)
    {
        buffer.putLongRelease(0, value);
    }

    /**
     * @return the current value.
     */
    long get()
    {
        return buffer.getLongAcquire(0);
    }

    /**
     * The echo child's subscriber of a fan-out transport: the point-to-point transport's own echo, subscribed to the
     * fan-out's ping channel, which says in this word what the other subscribers are to do while it runs its echo or
     * sink loop, and {@link #IDLE} when it leaves it. One call of the echo per switch of transport, none in its loop.
     *
     * @param link the transport's link.
     * @param echo the echo, subscriber 0 of the fan-out.
     * @return the echo that announces itself; closing it closes {@code echo} and the word.
     */
    static Echo announcing(final LinkSpec link, final Echo echo)
    {
        final FanOutActivity activity = open(link.directory());
        return new Echo()
        {
            @Override
            public void run(final EchoControl control, final int index)
            {
                activity.set(ECHO);
                try
                {
                    echo.run(control, index);
                }
                finally
                {
                    activity.set(IDLE);
                }
            }

            @Override
            public void sink(final EchoControl control, final int index, final SinkMode mode)
            {
                activity.set(FanOutActivity.sink(mode));
                try
                {
                    echo.sink(control, index, mode);
                }
                finally
                {
                    activity.set(IDLE);
                }
            }

            @Override
            public void close()
            {
                echo.close();
                activity.close();
            }
        };
    }

    /**
     * Unmaps the file.
     */
    @Override
    public void close()
    {
        file.close();
    }
}
