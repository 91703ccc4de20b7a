package io.shmlink.jcstress;

import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.StallDetector;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * MPSC recovery of a gap racing a new claim. Before the race, a publisher advanced the tail by 24 bytes and died
 * before writing a header (the gap holds free words), and the subscriber saw that stall twice at time 0
 * (first sighting, not yet timed out). In the race, publisher B offers a message (claiming the space after the gap)
 * while the subscriber, at time 1, past its claim timeout, skips the gap and polls. The skip must end where the dead
 * claim ends: B claimed after the stall was first seen, so its message is never swallowed into the gap, even while
 * B's header is not written yet.
 */
@JCStressTest
@Description("MPSC gap skip never swallows a claim made after the stall was first seen")
@Outcome(id = "1, 1, 48, 0", expect = ACCEPTABLE, desc = "gap skipped as one lost claim, B delivered")
@Outcome(expect = FORBIDDEN, desc = "B swallowed into the gap, torn or duplicated, or free space left dirty")
@State
public class MpscZeroGapTest
{
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private final ChannelSegment segment = Rings.segment(true, 0);
    private final RingWriter writerB;
    private final RingReader reader = Rings.reader(segment, true);
    private final StallDetector stalls = Rings.stalls(reader, 1);
    private final UnsafeBuffer message = Rings.message(16, B);
    private final Rings.Seen seen = new Rings.Seen(B);

    /** Before the race: the dead publisher's 24-byte gap, B's writer, and the stall seen twice at time 0. */
    public MpscZeroGapTest()
    {
        segment.buffer().putLongVolatile(TAIL_POSITION_OFFSET, 24); // claimed by a publisher that died at once
        writerB = Rings.writer(segment, true, Rings.SESSION_B);
        stalls.check(0);
        stalls.check(0); // seen again at the same time: not yet timed out
    }

    @Actor
    public void publisherB()
    {
        writerB.write(message, 0, 16);
    }

    @Actor
    public void subscriber()
    {
        stalls.check(1);
        reader.read(seen, 10);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        reader.read(seen, 10);
        r.r1 = seen.state(0);
        r.r2 = (int)Rings.lostClaims(segment);
        r.r3 = (int)reader.position(); // the 24-byte gap, then B's 24-byte record
        r.r4 = Rings.dirty(segment, reader.position()) ? 1 : 0;
    }
}
