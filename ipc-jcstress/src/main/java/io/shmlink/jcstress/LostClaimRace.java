package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.ring.StallDetector;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The race that {@link SpscLostClaimTest} and {@link MpscLostClaimTest} run on a channel of their mode: lost-claim
 * recovery racing a late commit. Before the race, A claimed and filled a record without committing it, B sent a
 * message after it (on SPSC through the one writer), and the subscriber saw the stall at time 0 (on MPSC twice). In
 * the race, A commits while the subscriber, at time 1 (past its 1 ns claim timeout), skips the stalled claim and
 * polls. Outcomes as {@link Rings#drainInto} reports them.
 */
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "A committed before the timeout struck: delivered")
@Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "skip won: A, committed too late, is counted as a lost claim (the documented timeout rule)")
@Outcome(expect = FORBIDDEN, desc = "B lost or torn, A lost uncounted or counted and delivered, or free space dirty")
final class LostClaimRace
{
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private final boolean mpsc;
    private final Rings.Channel ring;
    private final StallDetector stalls;
    private final BufferClaim claim;
    private final Rings.Seen seen = new Rings.Seen(A, B);

    LostClaimRace(final boolean mpsc)
    {
        this.mpsc = mpsc;
        ring = new Rings.Channel(mpsc, 0);
        stalls = Rings.stalls(ring.reader, 1);
        claim = Rings.claimAndFill(ring.writer, 8, A);
        final RingWriter writerB = mpsc ? Rings.writer(ring.segment, true, Rings.SESSION_B) : ring.writer;
        writerB.write(Rings.message(16, B), 0, 16);
        stalls.check(0);
        if (mpsc)
        {
            stalls.check(0); // seen again at the same time: not yet timed out
        }
    }

    void commitA()
    {
        claim.commit();
    }

    void skipAndPoll()
    {
        stalls.check(1);
        ring.reader.read(seen, 10);
    }

    void drain(final IIII_Result r)
    {
        Rings.drainInto(r, ring.reader, stalls, seen, ring.segment, mpsc);
    }
}
