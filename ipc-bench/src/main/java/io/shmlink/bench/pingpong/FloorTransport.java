package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * The physical limit: two JVMs bounce one {@code long} on one cache line of a {@code /dev/shm} mapping. A round trip
 * is two cache-line transfers between the cores plus the timer; no ring, no header, no copy. Every other transport
 * is reported as a multiple of this.
 * <p>
 * Protocol: the pinger stores {@code 2 * sequence + 1} (odd: a ping); the echo, seeing an odd value {@code v},
 * stores {@code v + 1} (even: its pong). Stores are release and loads acquire, the same ordering ShmLink and Agrona
 * use to publish a record, so the floor pays no fence they do not. The message size option does not apply: the
 * message is always these 8 bytes.
 */
public final class FloorTransport implements Transport
{
    /** The file holding the line, in the transport's directory; package-private for tests that fake an echo. */
    static final String FILE = "line";
    private static final int FILE_LENGTH = 4096;
    private static final int VALUE_OFFSET = 0;

    /** Needed by {@link Transports}. */
    public FloorTransport()
    {
    }

    @Override
    public String name()
    {
        return "floor";
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "one long on one cache line of a /dev/shm mapping (8 bytes, whatever --size says)";
    }

    @Override
    public void create(final LinkSpec link)
    {
        MappedFile.createNew(link.directory().resolve(FILE), FILE_LENGTH).close();
    }

    @Override
    public Pinger openPinger(final LinkSpec link, final PeerWatch watch)
    {
        return new FloorPinger(MappedFile.mapExisting(file(link)), watch);
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        return new FloorEcho(MappedFile.mapExisting(file(link)));
    }

    private static Path file(final LinkSpec link)
    {
        return link.directory().resolve(FILE);
    }

    private static final class FloorPinger implements Pinger
    {
        private final MappedFile file;
        private final UnsafeBuffer line;
        private final PeerWatch watch;

        FloorPinger(final MappedFile file, final PeerWatch watch)
        {
            this.file = file;
            this.line = file.buffer();
            this.watch = watch;
        }

        @Override
        public long roundTrip(final long sequence)
        {
            final long ping = 2 * sequence + 1;
            line.putLongRelease(VALUE_OFFSET, ping);
            long value;
            long spins = 0;
            while ((value = line.getLongAcquire(VALUE_OFFSET)) == ping)
            {
                if ((++spins & PeerWatch.SPIN_CHECK_MASK) == 0)
                {
                    watch.stillWaiting(spins, sequence);
                }
                Thread.onSpinWait();
            }
            // The echo writes ping + 1; decode so that any other value reads as a wrong sequence.
            return (value - 2) / 2;
        }

        @Override
        public void close()
        {
            file.close();
        }
    }

    private static final class FloorEcho implements Echo
    {
        private final MappedFile file;
        private final UnsafeBuffer line;

        FloorEcho(final MappedFile file)
        {
            this.file = file;
            this.line = file.buffer();
        }

        @Override
        public void run(final EchoControl control, final int index)
        {
            while (true)
            {
                final long value = line.getLongAcquire(VALUE_OFFSET);
                if ((value & 1) != 0)
                {
                    line.putLongRelease(VALUE_OFFSET, value + 1);
                }
                else
                {
                    if (!control.isActive(index))
                    {
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void close()
        {
            file.close();
        }
    }
}
