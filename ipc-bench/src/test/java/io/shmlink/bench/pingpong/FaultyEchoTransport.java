package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.ObjLongConsumer;

/**
 * Test transports whose echo misbehaves, to prove the harness notices: the floor's pinger over the floor's cache
 * line, with a faulty echo on the other side. The child JVM makes them by class name, as it would any transport.
 */
public abstract class FaultyEchoTransport extends EchoReplacingTransport
{
    /** Answers the ping {@code value} (odd: {@code 2 * sequence + 1}); the correct answer is {@code value + 1}. */
    private final ObjLongConsumer<UnsafeBuffer> answer;

    FaultyEchoTransport(final String name, final ObjLongConsumer<UnsafeBuffer> answer)
    {
        super(name, ThroughputModes.NONE, new FloorTransport());
        this.answer = answer;
    }

    @Override
    public String describe(final LinkSpec link)
    {
        return "a faulty echo on the floor's line";
    }

    @Override
    public Echo openEcho(final LinkSpec link)
    {
        final MappedFile file = MappedFile.mapExisting(link.directory().resolve(FloorTransport.FILE));
        final UnsafeBuffer line = file.buffer();
        return new Echo()
        {
            @Override
            public void run(final EchoControl control, final int index)
            {
                while (control.isActive(index))
                {
                    final long value = line.getLongAcquire(0);
                    if ((value & 1) != 0)
                    {
                        answer.accept(line, value);
                    }
                }
            }

            @Override
            public void close()
            {
                file.close();
            }
        };
    }

    /**
     * Echoes every ping as the pong of the next sequence number.
     */
    public static final class Misnumbering extends FaultyEchoTransport
    {
        /** Made by name in the child. */
        public Misnumbering()
        {
            super("misnumbering", (line, value) -> line.putLongRelease(0, value + 3));
        }
    }

    /**
     * Kills its JVM with status 7 at the first ping, as a crashing echo would.
     */
    public static final class Dying extends FaultyEchoTransport
    {
        /** The exit status of the child. */
        static final int STATUS = 7;

        /** Made by name in the child. */
        public Dying()
        {
            super("dying", (line, value) -> Runtime.getRuntime().halt(STATUS));
        }
    }
}
