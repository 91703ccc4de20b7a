package io.shmlink.bench.jmh;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.bench.MappedFile;
import io.shmlink.bench.ShmTempDirectory;
import io.shmlink.shm.ShmRegistry;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;

/**
 * Set-up shared by the benchmark states: the rings under test, each in its own {@code /dev/shm} directory, and the
 * message to send. Both contenders get the same capacity and the same kind of memory, a shared mapping of a tmpfs
 * file, so the comparison is between ring algorithms and not between heap and off-heap or page sizes.
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
        private final Subscriber[] subscribers;
        private final Publisher[] publishers;

        /**
         * Creates the channel and attaches; the subscriber first, since a publisher with no subscriber gets
         * NOT_CONNECTED.
         *
         * @param config     SPSC or MPSC, and capacity.
         * @param publishers how many publishers to attach (MPSC only for more than one).
         * @throws IOException if the directory cannot be created.
         */
        public ShmLinkChannel(final ChannelConfig config, final int publishers) throws IOException
        {
            this(config, publishers, 1);
        }

        /**
         * Creates the channel and attaches every subscriber, then the publishers: a fan-out subscriber receives
         * what is sent after it attached.
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
            this.subscribers = new Subscriber[subscribers];
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
         * @return the (first) subscriber.
         */
        public Subscriber subscriber()
        {
            return subscribers[0];
        }

        /**
         * @param index which subscriber.
         * @return that subscriber.
         */
        public Subscriber subscriber(final int index)
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
     * An Agrona ring buffer over a {@code /dev/shm} file of {@code CAPACITY + TRAILER_LENGTH} bytes.
     */
    public static final class AgronaRing implements AutoCloseable
    {
        private final ShmTempDirectory directory;
        private final MappedFile file;
        private final RingBuffer ring;

        /**
         * Maps a new ring file.
         *
         * @param manyToOne {@link ManyToOneRingBuffer} if true, else {@link OneToOneRingBuffer}.
         * @throws IOException if the directory cannot be created.
         */
        public AgronaRing(final boolean manyToOne) throws IOException
        {
            directory = ShmTempDirectory.create("agrona-jmh-");
            file = MappedFile.createNew(
                directory.path().resolve("ring"), CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
            ring = manyToOne ? new ManyToOneRingBuffer(file.buffer()) : new OneToOneRingBuffer(file.buffer());
        }

        /**
         * @return the ring.
         */
        public RingBuffer ring()
        {
            return ring;
        }

        /**
         * Unmaps the file and deletes the directory.
         */
        @Override
        public void close()
        {
            file.close();
            directory.close();
        }
    }
}
