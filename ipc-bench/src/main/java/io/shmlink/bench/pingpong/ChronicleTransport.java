package io.shmlink.bench.pingpong;

import io.shmlink.bench.Orders;
import io.shmlink.examples.chronicle.Order;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * Two Chronicle Queues, {@code ping} and {@code pong}, one each way, in the transport's directory (so under
 * {@code /dev/shm}, unique to the run, deleted with it). Each side appends to one queue and tails the other; both
 * tailers start at the beginning. Both hot loops busy-spin on {@code readingDocument}. Two built-in instances:
 * <ul>
 *   <li>{@code chronicle}: messages are raw bytes in a document ({@code writingDocument} / {@code readingDocument}),
 *   no field names, no marshalling; the echo appends the ping's bytes to the pong queue from inside its read: one
 *   copy, as the ring transports' echoes do.</li>
 *   <li>{@code chronicle-dto}: the {@link Order} DTO: the pinger writes it with {@code writeMarshallable}
 *   into a {@code writingDocument}, the echo reads it with {@code readMarshallable} from its {@code readingDocument}
 *   into a reused DTO and writes that DTO into the pong queue, the pinger reads the pong into its own. The same DTO
 *   and the same marshalling as {@link ShmLinkChronicleTransport}, so the two differ only in what carries the
 *   bytes. It has no throughput mode.</li>
 * </ul>
 * What differs from a ring: a queue is a journal that only grows. Nothing is overwritten, so there is no
 * back-pressure and no wrap, but every message lands on memory not touched before: the queue's files grow by
 * mapping new chunks and faulting in new pages as the run goes, which shows in the tails. A run of the quick preset
 * leaves some 40 MB per queue in {@code /dev/shm} until the run directory is deleted.
 * <p>
 * Chronicle needs JVM flags on Java 17 and has a few habits to silence: see {@link ChronicleSetup}.
 */
public final class ChronicleTransport extends NamedTransport
{
    private static final String PING = "ping";
    private static final String PONG = "pong";

    /** Whether the messages are the {@link Order} DTO ({@code chronicle-dto}) rather than raw bytes. */
    private final boolean dto;

    /** Needed by {@link Transports}: {@code chronicle}, raw bytes. */
    public ChronicleTransport()
    {
        this(false);
    }

    private ChronicleTransport(final boolean dto)
    {
        super(dto ? "chronicle-dto" : "chronicle", dto ? ThroughputModes.NONE : ThroughputModes.OFFER);
        this.dto = dto;
        // Both JVMs make their instance before they touch a Chronicle class.
        ChronicleSetup.quiet();
    }

    /**
     * @return {@code chronicle-dto}; the echo child makes its own instance from the name.
     */
    static Transport dto()
    {
        return new ChronicleTransport(true);
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "two Chronicle Queues " + ChronicleSetup.version() + " (one each way) in /dev/shm, " + (dto ?
            "a " + Orders.LENGTH + "-byte BytesMarshallable DTO per document" :
            "raw-bytes documents, appender + tailer");
    }

    @Override
    public List<String> childJvmFlags()
    {
        return ChronicleSetup.JVM_FLAGS;
    }

    /**
     * Creates both queues (their metadata), so that neither side races the other to it.
     */
    @Override
    public void create(final LinkSpec link)
    {
        ChronicleSetup.requireAccess();
        ChronicleSetup.open(link.directory().resolve(PING)).close();
        ChronicleSetup.open(link.directory().resolve(PONG)).close();
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        final Queues queues = new Queues(link, PING, PONG);
        return dto ? new OrderPinger(queues, watch) : new ChroniclePinger(queues, link.messageLength(), watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        ChronicleSetup.requireAccess();
        final Queues queues = new Queues(link, PONG, PING);
        return dto ? new OrderEcho(queues) : new ChronicleEcho(queues, link.messageLength());
    }

    /**
     * One side's two queues: an appender on the queue it writes, a tailer on the queue it reads.
     */
    private static final class Queues implements AutoCloseable
    {
        private final ChronicleQueue written;
        private final ChronicleQueue read;
        final ExcerptAppender appender;
        final ExcerptTailer tailer;

        Queues(final LinkSpec link, final String written, final String read)
        {
            this.written = ChronicleSetup.open(link.directory().resolve(written));
            this.read = ChronicleSetup.open(link.directory().resolve(read));
            this.appender = this.written.createAppender();
            this.tailer = this.read.createTailer();
        }

        @Override
        public void close()
        {
            appender.close();
            tailer.close();
            written.close();
            read.close();
        }
    }

    private static final class ChroniclePinger implements Pinger
    {
        private final Queues queues;
        private final ExcerptAppender ping;
        private final ExcerptTailer pong;
        private final BytesStore<?, Void> message;
        private final int messageLength;
        private final PeerWatch watch;
        private final Acknowledgement acknowledgement = new Acknowledgement();
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer received;
        private Payload payload;
        private BytesStore<?, ?> source;

        ChroniclePinger(final Queues queues, final int messageLength, final PeerWatch watch)
        {
            this.queues = queues;
            this.ping = queues.appender;
            this.pong = queues.tailer;
            this.message = BytesStore.nativeStoreWithFixedCapacity(messageLength);
            this.messageLength = messageLength;
            this.received = new UnsafeBuffer(BufferUtil.allocateDirectAligned(messageLength, 64));
            this.watch = watch;
        }

        @Override
        public long roundTrip(final long sequence)
        {
            send(sequence);
            return awaitPong(sequence);
        }

        @Override
        public Acknowledgement sendBurst(final long firstSequence, final int count, final SendMode mode)
        {
            if (mode != SendMode.OFFER)
            {
                throw new UnsupportedOperationException("chronicle sends by writingDocument and write only");
            }
            if (payload == null)
            {
                payload = new Payload(messageLength);
                // A view of the payload's memory, which it does not own: releasing it frees nothing.
                source = BytesStore.wrap(payload.stamp(firstSequence, false).addressOffset(), messageLength);
            }
            final int last = count - 1;
            for (int i = 0; i < count; i++)
            {
                payload.stamp(firstSequence + i, i == last);
                try (DocumentContext document = ping.writingDocument())
                {
                    document.wire().bytes().write(source, 0L, messageLength);
                }
            }
            awaitPong(firstSequence + last);
            return acknowledgement;
        }

        private void send(final long value)
        {
            message.writeLong(0, value);
            try (DocumentContext document = ping.writingDocument())
            {
                document.wire().bytes().write(message, 0L, messageLength);
            }
        }

        private long awaitPong(final long sequence)
        {
            long spins = 0;
            while (true)
            {
                try (DocumentContext document = pong.readingDocument())
                {
                    if (document.isPresent())
                    {
                        final Bytes<?> bytes = document.wire().bytes();
                        if (bytes.readRemaining() != messageLength)
                        {
                            throw new IllegalStateException("pong of " + bytes.readRemaining() + " bytes, expected " +
                                messageLength);
                        }
                        // copied out whole, as a socket's reader gets it: the pinger reads every byte it receives
                        view.wrap(bytes.addressForRead(bytes.readPosition(), messageLength), messageLength);
                        view.getBytes(0, received, 0, messageLength);
                        if (messageLength >= Acknowledgement.LENGTH)
                        {
                            acknowledgement.read(received, 0);
                        }
                        return received.getLong(0);
                    }
                }
                spins = PeerWatch.spin(watch, spins, sequence);
            }
        }

        @Override
        public void close()
        {
            queues.close();
            message.releaseLast();
            if (source != null)
            {
                source.releaseLast();
            }
        }
    }

    private static final class ChronicleEcho implements Echo
    {
        private final Queues queues;
        private final ExcerptTailer ping;
        private final ExcerptAppender pong;
        private final int messageLength;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private BytesStore<?, ?> acknowledgement;
        private BurstSink burstSink;

        ChronicleEcho(final Queues queues, final int messageLength)
        {
            this.queues = queues;
            this.ping = queues.tailer;
            this.pong = queues.appender;
            this.messageLength = messageLength;
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                try (DocumentContext in = ping.readingDocument())
                {
                    if (in.isPresent())
                    {
                        final Bytes<?> bytes = in.wire().bytes();
                        try (DocumentContext out = pong.writingDocument())
                        {
                            out.wire().bytes().write(bytes, bytes.readPosition(), bytes.readRemaining());
                        }
                        continue;
                    }
                }
                if (!control.idle(index))
                {
                    return;
                }
            }
        }

        @Override
        public void sink(final EchoControl control, final int index, final SinkMode mode)
        {
            if (burstSink == null)
            {
                burstSink = new BurstSink(messageLength);
                acknowledgement = BytesStore.wrap(burstSink.acknowledgement().addressOffset(), messageLength);
            }
            burstSink.mode(mode);
            while (true)
            {
                try (DocumentContext in = ping.readingDocument())
                {
                    if (in.isPresent())
                    {
                        final Bytes<?> bytes = in.wire().bytes();
                        final int length = (int)bytes.readRemaining();
                        // The document in the queue's mapping, read in place (or copied out) like a ring's record.
                        view.wrap(bytes.addressForRead(bytes.readPosition(), length), length);
                        if (burstSink.onMessage(view, 0, length))
                        {
                            acknowledge();
                        }
                        continue;
                    }
                }
                if (!control.idle(index))
                {
                    return;
                }
            }
        }

        private void acknowledge()
        {
            try (DocumentContext out = pong.writingDocument())
            {
                out.wire().bytes().write(acknowledgement, 0L, messageLength);
            }
        }

        @Override
        public void close()
        {
            queues.close();
            if (burstSink != null)
            {
                acknowledgement.releaseLast();
                burstSink.close();
            }
        }
    }

    private static final class OrderPinger implements Pinger
    {
        private final Queues queues;
        private final ExcerptAppender ping;
        private final ExcerptTailer pong;
        private final PeerWatch watch;
        private final Order out = Orders.filled();
        private final Order in = new Order();

        OrderPinger(final Queues queues, final PeerWatch watch)
        {
            this.queues = queues;
            this.ping = queues.appender;
            this.pong = queues.tailer;
            this.watch = watch;
        }

        @Override
        public long roundTrip(final long sequence)
        {
            out.orderId = sequence;
            try (DocumentContext document = ping.writingDocument())
            {
                out.writeMarshallable(document.wire().bytes());
            }
            long spins = 0;
            while (true)
            {
                try (DocumentContext document = pong.readingDocument())
                {
                    if (document.isPresent())
                    {
                        in.readMarshallable(document.wire().bytes());
                        return in.orderId;
                    }
                }
                spins = PeerWatch.spin(watch, spins, sequence);
            }
        }

        @Override
        public void close()
        {
            queues.close();
        }
    }

    private static final class OrderEcho implements Echo
    {
        private final Queues queues;
        private final ExcerptTailer ping;
        private final ExcerptAppender pong;
        private final Order order = new Order();

        OrderEcho(final Queues queues)
        {
            this.queues = queues;
            this.ping = queues.tailer;
            this.pong = queues.appender;
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                try (DocumentContext in = ping.readingDocument())
                {
                    if (in.isPresent())
                    {
                        order.readMarshallable(in.wire().bytes());
                        try (DocumentContext out = pong.writingDocument())
                        {
                            order.writeMarshallable(out.wire().bytes());
                        }
                        continue;
                    }
                }
                if (!control.idle(index))
                {
                    return;
                }
            }
        }

        @Override
        public void close()
        {
            queues.close();
        }
    }
}
