package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.StallDetector;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * SPSC lost-claim recovery racing a late commit. Before the race, A claimed and filled a record without committing
 * it, B sent a message after it, and the subscriber saw the stall once (at time 0). In the race, A commits while
 * the subscriber, at time 1 (past its 1 ns claim timeout), skips the stalled claim and polls. Either A's commit
 * came first and A arrives, or the skip came first and A is counted lost; B always arrives, once, intact.
 */
@JCStressTest
@Description("SPSC lost-claim skip never drops a committed record; a commit that loses the race is counted")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "A committed before the timeout struck: delivered")
@Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "skip won: A, committed too late, is counted as a lost claim (the documented timeout rule)")
@Outcome(expect = FORBIDDEN, desc = "B lost or torn, A lost uncounted or counted and delivered, or free space dirty")
@State
public class SpscLostClaimTest
{
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private static final boolean MPSC = false;
    private final ChannelSegment segment = Rings.segment(MPSC, 0);
    private final RingWriter writerA = Rings.writer(segment, MPSC, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, MPSC);
    private final StallDetector stalls = Rings.stalls(reader, 1);
    private final BufferClaim claim = Rings.claimAndFill(writerA, 8, A);
    private final Rings.Seen seen = new Rings.Seen(A, B);

    /** Before the race: B's message sent after A's pending claim, and the stall seen once at time 0. */
    public SpscLostClaimTest()
    {
        final RingWriter writerB = MPSC ? Rings.writer(segment, true, Rings.SESSION_B) : writerA;
        writerB.write(Rings.message(16, B), 0, 16);
        stalls.check(0);
    }

    @Actor
    public void publisherA()
    {
        claim.commit();
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
        Rings.drainInto(r, reader, stalls, seen, segment, MPSC);
    }
}
