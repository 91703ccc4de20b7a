package io.shmlink.jcstress;

import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * MPSC with one publisher: head and tail only grow (with several, the tail is a hint that may go back). The
 * publisher sends two 16-byte records across the end of the ring and reads
 * the head before and after; the subscriber reads the tail before and after polling twice. Each pair must be
 * non-decreasing, and the subscriber never gets ahead of the tail it saw last. Results are positions relative
 * to the start: 0, 16 or 32.
 */
@JCStressTest
@Description("MPSC head and tail positions never go backwards")
@Outcome(id = "(0, (0|16|32)|16, (16|32)|32, 32), (0, (0|16|32)|16, (16|32)|32, 32)", expect = ACCEPTABLE,
    desc = "tail seen by the subscriber and head seen by the publisher each moved forward or stayed")
@Outcome(expect = FORBIDDEN, desc = "a position went backwards, or the subscriber passed the tail")
@State
public class MpscPositionsTest
{
    private static final long START = Rings.CAPACITY - 16;
    private final ChannelSegment segment = Rings.segment(true, START);
    private final RingWriter writer = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, true);
    private final UnsafeBuffer message = Rings.message(8, 42);
    private final Rings.Seen seen = new Rings.Seen(42);

    @Actor
    public void publisher(final IIII_Result r)
    {
        r.r3 = (int)(segment.buffer().getLongVolatile(HEAD_POSITION_OFFSET) - START);
        writer.write(message, 0, 8);
        writer.write(message, 0, 8);
        r.r4 = (int)(segment.buffer().getLongVolatile(HEAD_POSITION_OFFSET) - START);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        r.r1 = (int)(Rings.tail(segment) - START);
        reader.read(seen, 1);
        reader.read(seen, 1);
        final long tail = Rings.tail(segment);
        r.r2 = reader.position() > tail ? -1 : (int)(tail - START);
    }
}
