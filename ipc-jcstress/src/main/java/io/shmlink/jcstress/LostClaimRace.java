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
 * polls. Either A's commit came first and A arrives, or the skip came first and A is counted lost; B always
 * arrives, once, intact. Outcomes as {@link #drain} reports them.
 */
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "A committed before the timeout struck: delivered")
@Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "skip won: A, committed too late, is counted as a lost claim (the documented timeout rule)")
@Outcome(expect = FORBIDDEN, desc = "B lost or torn, A lost uncounted or counted and delivered, or free space dirty")
final class LostClaimRace extends ChannelRace
{
    private final StallDetector stalls = Rings.stalls(reader, 1);
    private final BufferClaim claim;

    LostClaimRace(final boolean mpsc)
    {
        super(mpsc, 0, Rings.A, Rings.B);
        claim = Rings.claimAndFill(writer, 8, Rings.A);
        final RingWriter writerB = mpsc ? Rings.writer(segment, true, Rings.SESSION_B) : writer;
        writerB.write(Rings.message(16, Rings.B), 0, 16);
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
        pollSeen();
    }

    /**
     * The arbiter: drains what is left into {@link #seen}, lets the reader release a skipped claim whose claimer has
     * let go by now, and reports (state of A, state of B, lost claims, whether an MPSC ring's consumed space is
     * dirty). SPSC never zeroes consumed space, so its last field is 0.
     */
    void drain(final IIII_Result r)
    {
        pollSeen();
        stalls.check(Rings.NEVER); // nothing stalls now: only a held claim is looked at again
        r.r1 = seen.state(0);
        r.r2 = seen.state(1);
        r.r3 = (int)Rings.lostClaims(segment);
        r.r4 = mpsc && Rings.dirty(segment, reader.position()) ? 1 : 0;
    }
}
