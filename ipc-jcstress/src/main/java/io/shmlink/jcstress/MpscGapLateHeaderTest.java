package io.shmlink.jcstress;

import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.StallDetector;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A claimer that stood still between its tail CAS and its header, waking as the subscriber takes its space as a
 * gap. Before the race, A advanced the tail by 16 bytes, and the subscriber saw the stall at time 0. In the race, A
 * does what {@code RingWriter} does after its tail CAS (the header CAS from the free word of its lap, and only if
 * that succeeds, the payload and the commit), while the subscriber, at time 1, past its claim timeout, skips the
 * gap and polls. Either A's header went in first and A is delivered, or the gap was taken first and A wrote
 * nothing: never a payload in space the subscriber released. (The claimer's steps are written out here, as
 * {@code RingWriter.claimShared} takes them, because a test cannot stop a real offer between its tail CAS and its
 * header CAS.)
 */
@JCStressTest
@Description("MPSC: a claimer waking in the gap window writes its record whole or not at all")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "A's header went in first: delivered, nothing skipped")
@Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "the gap was taken first: A wrote nothing")
@Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "A's header went in, then its claim was skipped as stalled and held until A's commit let it go")
@Outcome(expect = FORBIDDEN, desc = "A torn or delivered after its space was taken, or free space dirty")
@State
public class MpscGapLateHeaderTest
{
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private final ChannelSegment segment = Rings.segment(true, 0);
    private final UnsafeBuffer ring = segment.buffer();
    private final RingReader reader = Rings.reader(segment, true);
    private final StallDetector stalls = Rings.stalls(reader, 1);
    private final Rings.Seen seen = new Rings.Seen(A);
    private int headerWentIn;

    /** Before the race: A's tail CAS over 16 bytes, no header yet, and the stall seen at time 0. */
    public MpscGapLateHeaderTest()
    {
        ring.putLongVolatile(TAIL_POSITION_OFFSET, 16); // A's tail CAS
        stalls.check(0);
    }

    @Actor
    public void claimerA()
    {
        final long free = FreeWord.of(0, Integer.numberOfTrailingZeros(Rings.CAPACITY));
        if (ring.compareAndSetLong(RING_OFFSET, free, RecordDescriptor.header(-16, Rings.SESSION_A)))
        {
            ring.putLong(RING_OFFSET + RecordDescriptor.HEADER_LENGTH, A);
            ring.putLongRelease(RING_OFFSET, RecordDescriptor.header(16, Rings.SESSION_A));
            headerWentIn = 1;
        }
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
        stalls.check(Rings.NEVER); // releases a claim A has let go of
        r.r1 = headerWentIn;
        r.r2 = seen.state(0);
        r.r3 = (int)Rings.lostClaims(segment);
        r.r4 = Rings.dirty(segment, reader.position()) ? 1 : 0;
    }
}
