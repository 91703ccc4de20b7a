package io.shmlink.jcstress;

import io.shmlink.shm.ring.RecordDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The race that {@link SpscPositionsTest} and {@link MpscPositionsTest} run on a channel of their mode with one
 * publisher: it sends two one-line records (8-byte messages, 64 bytes each: {@link RecordDescriptor#ALIGNMENT})
 * across the end of the ring, the first in its last line and the second at index 0, and reads the head before and
 * after; the subscriber reads the tail before and after polling twice. Head and tail only grow (on MPSC only with
 * one publisher, as here: with several, the tail is a hint that may go back), so each pair must be non-decreasing,
 * and the subscriber never gets ahead of the tail it saw last. Outcomes, relative to the start: (tail before, tail
 * after or -1 if the subscriber passed it, head before, head after), each 0, 64 or 128.
 */
@Outcome(id = "(0, (0|64|128)|64, (64|128)|128, 128), " +
    "(0, (0|64|128)|64, (64|128)|128, 128)", expect = ACCEPTABLE,
    desc = "tail seen by the subscriber and head seen by the publisher each moved forward or stayed")
@Outcome(expect = FORBIDDEN, desc = "a position went backwards, or the subscriber passed the tail")
final class PositionsRace extends ChannelRace
{
    private static final int LENGTH = 8;
    /** One record (one line) before the end of the ring: the first record ends there, the second wraps to 0. */
    private static final long START = Rings.CAPACITY - Rings.named(Rings.recordLength(LENGTH), 64);
    private final UnsafeBuffer message = Rings.message(LENGTH, 42);

    PositionsRace(final boolean mpsc)
    {
        super(mpsc, START, 42);
    }

    void publish(final IIII_Result r)
    {
        r.r3 = (int)(segment.buffer().getLongVolatile(HEAD_POSITION_OFFSET) - START);
        writer.write(message, 0, LENGTH);
        writer.write(message, 0, LENGTH);
        r.r4 = (int)(segment.buffer().getLongVolatile(HEAD_POSITION_OFFSET) - START);
    }

    void poll(final IIII_Result r)
    {
        r.r1 = (int)(Rings.tail(segment) - START);
        reader.read(seen, 1);
        reader.read(seen, 1);
        final long tail = Rings.tail(segment);
        r.r2 = reader.position() > tail ? -1 : (int)(tail - START);
    }
}
