package io.shmlink.bench.pingpong;

import io.shmlink.bench.OrderMessage;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code chronicle-dto}: the {@link OrderMessage} DTO each way through two Chronicle Queues, set up as
 * {@link ChronicleTransport} sets up its raw-bytes queues: the pinger writes the DTO with
 * {@code writeMarshallable} into a {@code writingDocument}, the echo reads it with {@code readMarshallable} from
 * its {@code readingDocument} into a reused DTO and writes that DTO into the pong queue, the pinger reads the pong
 * into its own. The same DTO and the same marshalling as {@link ShmLinkChronicleTransport}, so the two differ only
 * in what carries the bytes.
 */
public final class ChronicleOrderTransport implements Transport
{
    private static final String PING = "ping";
    private static final String PONG = "pong";

    /** Needed by {@link Transports}. */
    public ChronicleOrderTransport()
    {
        ChronicleSetup.quiet();
    }

    @Override
    public String name()
    {
        return "chronicle-dto";
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "two Chronicle Queues " + ChronicleSetup.version() + " (one each way) in /dev/shm, a " +
            OrderMessage.LENGTH + "-byte BytesMarshallable DTO per document";
    }

    @Override
    public List<String> childJvmFlags()
    {
        return ChronicleSetup.JVM_FLAGS;
    }

    @Override
    public void create(final LinkSpec link)
    {
        ChronicleSetup.requireAccess();
        ChronicleSetup.open(queue(link, PING)).close();
        ChronicleSetup.open(queue(link, PONG)).close();
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return new OrderPinger(ChronicleSetup.open(queue(link, PING)), ChronicleSetup.open(queue(link, PONG)), watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        ChronicleSetup.requireAccess();
        return new OrderEcho(ChronicleSetup.open(queue(link, PING)), ChronicleSetup.open(queue(link, PONG)));
    }

    private static Path queue(final LinkSpec link, final String name)
    {
        return link.directory().resolve(name);
    }

    private static final class OrderPinger implements Pinger
    {
        private final ChronicleQueue pingQueue;
        private final ChronicleQueue pongQueue;
        private final ExcerptAppender ping;
        private final ExcerptTailer pong;
        private final PeerWatch watch;
        private final OrderMessage out = OrderMessage.filled();
        private final OrderMessage in = new OrderMessage();

        OrderPinger(final ChronicleQueue pingQueue, final ChronicleQueue pongQueue, final PeerWatch watch)
        {
            this.pingQueue = pingQueue;
            this.pongQueue = pongQueue;
            this.ping = pingQueue.createAppender();
            this.pong = pongQueue.createTailer();
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
            ping.close();
            pong.close();
            pingQueue.close();
            pongQueue.close();
        }
    }

    private static final class OrderEcho implements Echo
    {
        private final ChronicleQueue pingQueue;
        private final ChronicleQueue pongQueue;
        private final ExcerptTailer ping;
        private final ExcerptAppender pong;
        private final OrderMessage order = new OrderMessage();

        OrderEcho(final ChronicleQueue pingQueue, final ChronicleQueue pongQueue)
        {
            this.pingQueue = pingQueue;
            this.pongQueue = pongQueue;
            this.ping = pingQueue.createTailer();
            this.pong = pongQueue.createAppender();
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
                if (!control.isActive(index))
                {
                    return;
                }
                Thread.onSpinWait();
            }
        }

        @Override
        public void close()
        {
            ping.close();
            pong.close();
            pingQueue.close();
            pongQueue.close();
        }
    }
}
