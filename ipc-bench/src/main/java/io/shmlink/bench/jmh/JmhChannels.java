package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.bench.MappedFile;
import io.shmlink.bench.ShmTempDirectory;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.wait.ReaderWait;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;

/**
 * The channels and rings under test, each in its own {@code /dev/shm} directory, the message to send, and the JMH
 * states that the benchmarks of one channel against one Agrona ring share ({@link ShmLinkState},
 * {@link AgronaState}). Both contenders get the same capacity, the same kind of memory (a shared mapping of a tmpfs
 * file) and the same message, so the comparison is between ring algorithms and not between heap and off-heap or
 * page sizes.
 */
public final class JmhChannels
{
    /** Data capacity of every ring: 64 KiB, so a batch of 1 KiB messages fits with room to spare. */
    public static final int CAPACITY = 64 * 1024;

    /** Agrona's message type for every message; ShmLink has none. */
    public static final int MESSAGE_TYPE = 1;

    private JmhChannels()
    {
    }

    /**
     * A message of {@code size} bytes in an aligned direct buffer, its bytes set so that nothing reads zeros.
     *
     * @param size bytes.
     * @return the message.
     */
    public static UnsafeBuffer message(final int size)
    {
        final UnsafeBuffer message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(size, 64));
        message.setMemory(0, size, (byte)'x');
        message.putLong(0, 42);
        return message;
    }

    /**
     * A ShmLink channel with its subscriber and publishers, in a fresh registry directory.
     */
    public static final class ShmLinkChannel implements AutoCloseable
    {
        private final ShmTempDirectory directory;
        private final ShmRegistry registry;
        private final ShmSubscriber[] subscribers;
        private final Publisher[] publishers;

        /**
         * Creates the channel and attaches every subscriber, then the publishers: a publisher with no subscriber gets
         * NOT_CONNECTED, and a fan-out subscriber receives what is sent after it attached.
         *
         * @param config      any mode, and capacity; for more than one subscriber SPMC or MPMC with at least that
         *                    many {@link ChannelConfig#maxSubscribers()}.
         * @param publishers  how many publishers to attach (MPSC and MPMC only for more than one).
         * @param subscribers how many subscribers to attach.
         * @throws IOException if the directory cannot be created.
         */
        public ShmLinkChannel(final ChannelConfig config, final int publishers, final int subscribers)
            throws IOException
        {
            directory = ShmTempDirectory.create("shmlink-jmh-");
            registry = ShmRegistry.open(directory.path());
            registry.create("bench", config);
            this.subscribers = new ShmSubscriber[subscribers];
            for (int i = 0; i < subscribers; i++)
            {
                this.subscribers[i] = registry.subscriber("bench");
            }
            this.publishers = new Publisher[publishers];
            for (int i = 0; i < publishers; i++)
            {
                this.publishers[i] = registry.publisher("bench");
            }
        }

        /**
         * @param index which subscriber.
         * @return that subscriber.
         */
        public ShmSubscriber subscriber(final int index)
        {
            return subscribers[index];
        }

        /**
         * @param index which publisher.
         * @return that publisher.
         */
        public Publisher publisher(final int index)
        {
            return publishers[index];
        }

        /**
         * @return the channel's file, for a look at its header.
         */
        public Path file()
        {
            return directory.path().resolve("bench");
        }

        /**
         * Closes the registry and deletes the directory.
         */
        @Override
        public void close()
        {
            registry.close();
            directory.close();
        }
    }

    /**
     * The state of a benchmark of one ShmLink channel: the channel in a fresh {@code /dev/shm} directory, its
     * subscriber and publishers, and the message of {@link #size} bytes to send. The concrete states below say
     * which mode, how many publishers and which JMH scope; every benchmark that measures one channel at these sizes
     * takes one of them (JMH wants a scope on the class that declares the parameter; the subclasses set theirs).
     */
    @State(Scope.Thread)
    public abstract static class ShmLinkState
    {
        /** Message length in bytes. */
        @Param({"32", "1024"})
        public int size;

        ShmLinkChannel channel;
        /** Publisher 0: the only one, or, in a two-publisher group, the one of the thread that also polls. */
        Publisher publisher;
        /** Publisher 1 of a two-publisher group, else null. */
        Publisher otherPublisher;
        Subscriber subscriber;
        /** Read-only for every thread: sharing it costs no cache-line traffic. */
        UnsafeBuffer message;
        final MessageSink sink = new MessageSink();

        private final ChannelConfig config;
        private final int publishers;

        ShmLinkState(final ChannelConfig config, final int publishers)
        {
            this.config = config;
            this.publishers = publishers;
        }

        /**
         * Creates the channel in a fresh {@code /dev/shm} directory and attaches.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            channel = new ShmLinkChannel(config, publishers, 1);
            publisher = channel.publisher(0);
            otherPublisher = publishers > 1 ? channel.publisher(1) : null;
            subscriber = channel.subscriber(0);
            message = message(size);
        }

        /**
         * Closes the channel and deletes its directory.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            channel.close();
        }
    }

    /** A ShmLink SPSC channel used by one thread. */
    @State(Scope.Thread)
    public static class Spsc extends ShmLinkState
    {
        /** Needed by JMH. */
        public Spsc()
        {
            super(ChannelConfig.spsc(CAPACITY), 1);
        }
    }

    /** A ShmLink MPSC channel with one publisher, used by one thread. */
    @State(Scope.Thread)
    public static class Mpsc extends ShmLinkState
    {
        /** Needed by JMH. */
        public Mpsc()
        {
            super(ChannelConfig.mpsc(CAPACITY), 1);
        }
    }

    /** A ShmLink SPSC channel shared by a group: one thread publishes, the other polls. */
    @State(Scope.Group)
    public static class SpscShared extends ShmLinkState
    {
        /** Needed by JMH. */
        public SpscShared()
        {
            super(ChannelConfig.spsc(CAPACITY), 1);
        }
    }

    /**
     * A ShmLink SPSC channel shared by a group, whose subscriber sleeps on its doorbell as soon as the ring is empty
     * (no spin, no yield, and no bounded sleep short enough to wake it first): every message a publisher sends
     * while it sleeps costs one ring and one wake-up. The channel's header is mapped once more, so that the
     * publishing thread can see the subscriber's wait state.
     */
    @State(Scope.Group)
    public static class SpscSleeping extends ShmLinkState
    {
        /**
         * Files opened before the channel and held open, so that the doorbell's sockets get descriptors above
         * 127, as in a process with many connections and files open (the JDK's selector looks its ready keys up
         * by descriptor number, boxed).
         */
        @Param({"0", "256"})
        public int heldFiles;

        /** The channel's header: the subscriber's wait state. */
        ChannelSegment header;

        private final List<FileChannel> held = new ArrayList<>();

        /** Needed by JMH. */
        public SpscSleeping()
        {
            super(ChannelConfig.spsc(CAPACITY), 1);
        }

        /**
         * Creates the channel, makes its subscriber sleep at once and maps the header.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Override
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            for (int i = 0; i < heldFiles; i++)
            {
                held.add(FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ));
            }
            super.setUp();
            channel.subscriber(0).readerWait(
                ReaderWait.of(Duration.ZERO, Duration.ZERO).withMaxSleep(Duration.ofSeconds(1)));
            header = ChannelSegment.open(channel.file(), "bench", false);
        }

        /**
         * Closes the channel and the held files.
         */
        @Override
        @TearDown(Level.Trial)
        public void tearDown()
        {
            super.tearDown();
            // /dev/null: nothing to flush, nothing to lose
            CloseHelper.quietCloseAll(held);
            held.clear();
        }

        /**
         * Whether the subscriber has announced that it sleeps on its doorbell, so that the next send rings it.
         *
         * @return true while it sleeps and no publisher has rung it yet.
         */
        boolean subscriberSleeps()
        {
            return header.buffer().getIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET) == WAIT_STATE_SLEEPING;
        }
    }

    /** A ShmLink MPSC channel shared by a group of two publishing threads, each with its own publisher. */
    @State(Scope.Group)
    public static class MpscShared extends ShmLinkState
    {
        /** Needed by JMH. */
        public MpscShared()
        {
            super(ChannelConfig.mpsc(CAPACITY), 2);
        }
    }

    /**
     * The state of a benchmark of one Agrona ring, the baseline of a {@link ShmLinkState}: a ring buffer over a
     * {@code /dev/shm} file of {@code CAPACITY + TRAILER_LENGTH} bytes in a fresh directory, and the same message.
     * Agrona's publishers are threads on one instance. The ring is in the field of its own class, so that every
     * call on it is a direct one.
     */
    @State(Scope.Thread)
    public abstract static class AgronaState
    {
        /** Message length in bytes. */
        @Param({"32", "1024"})
        public int size;

        /** The ring if it is one-to-one, else null. */
        OneToOneRingBuffer oneToOne;
        /** The ring if it is many-to-one, else null. */
        ManyToOneRingBuffer manyToOne;
        UnsafeBuffer message;
        final MessageSink sink = new MessageSink();

        private final boolean manyToOneRing;
        private ShmTempDirectory directory;
        private MappedFile file;

        AgronaState(final boolean manyToOneRing)
        {
            this.manyToOneRing = manyToOneRing;
        }

        /**
         * Maps the ring in a fresh {@code /dev/shm} directory.
         *
         * @throws IOException if the directory cannot be created.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            directory = ShmTempDirectory.create("agrona-jmh-");
            file = MappedFile.createNew(
                directory.path().resolve("ring"), CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
            if (manyToOneRing)
            {
                manyToOne = new ManyToOneRingBuffer(file.buffer());
            }
            else
            {
                oneToOne = new OneToOneRingBuffer(file.buffer());
            }
            message = message(size);
        }

        /**
         * Unmaps the ring and deletes its directory.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            file.close();
            directory.close();
        }
    }

    /** An Agrona one-to-one ring used by one thread: {@link Spsc}'s baseline. */
    @State(Scope.Thread)
    public static class OneToOne extends AgronaState
    {
        /** Needed by JMH. */
        public OneToOne()
        {
            super(false);
        }
    }

    /** An Agrona many-to-one ring used by one thread: {@link Mpsc}'s baseline. */
    @State(Scope.Thread)
    public static class ManyToOne extends AgronaState
    {
        /** Needed by JMH. */
        public ManyToOne()
        {
            super(true);
        }
    }

    /** An Agrona one-to-one ring shared by a group: {@link SpscShared}'s baseline. */
    @State(Scope.Group)
    public static class OneToOneShared extends AgronaState
    {
        /** Needed by JMH. */
        public OneToOneShared()
        {
            super(false);
        }
    }

    /** An Agrona many-to-one ring shared by a group: {@link MpscShared}'s baseline. */
    @State(Scope.Group)
    public static class ManyToOneShared extends AgronaState
    {
        /** Needed by JMH. */
        public ManyToOneShared()
        {
            super(true);
        }
    }
}
