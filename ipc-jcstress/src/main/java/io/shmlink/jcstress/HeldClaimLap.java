package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ring.StallDetector;
import io.shmlink.shm.ring.RingWriter;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The set-up, the other actors and the arbiter that {@link MpscLateCommitLapTest} and {@link MpscLateAbortLapTest}
 * share: A claimed a one-line record (an 8-byte message, 64 bytes) at position 0 and held it past the timeout, the
 * subscriber skipped it (holding its space), and B filled the rest of the ring with one-line records, all of them
 * delivered. In the race, A lets go at last, B offers C (which fits only where A's record was, a lap later), and the
 * subscriber looks at the held claim again. B's claim succeeds only after the subscriber saw A let go, so A's late
 * store lands on its own record: C arrives intact, once, or B is back-pressured. Each test only chooses how A lets
 * go.
 */
@Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE, desc = "B back-pressured: A's space was still held")
@Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE_INTERESTING, desc = "A let go, the space was released, C arrived")
@Outcome(expect = FORBIDDEN, desc = "A delivered, C torn, lost or duplicated, or the lost claim miscounted")
final class HeldClaimLap extends ChannelRace
{
    private static final long C = 0x0C0C_0C0C_0C0C_0C0CL;
    private final RingWriter writerB = Rings.writer(segment, true, Rings.SESSION_B);
    private final StallDetector stalls = Rings.stalls(reader, 1);
    private long offered;

    /** A's claim, held past the timeout: the test commits or aborts it. */
    final BufferClaim claim = Rings.claimAndFill(writer, 8, Rings.A);

    HeldClaimLap()
    {
        super(true, 0, C, Rings.A);
        stalls.check(0);
        stalls.check(1); // skipped: held
        final Rings.Seen before = new Rings.Seen(Rings.B);
        while (writerB.write(Rings.message(8, Rings.B), 0, 8) > 0)
        {
            reader.read(before, 100);
        }
        reader.read(before, 100);
        if (before.torn() != 0 || before.intact(0) != before.count())
        {
            throw new IllegalStateException("B's messages before the race were not delivered whole");
        }
    }

    /** B offers C, which fits only where A's record was, a lap later. */
    void publisherB()
    {
        offered = writerB.write(Rings.message(8, C), 0, 8);
    }

    /** The subscriber looks at the held claim again. */
    void subscriber()
    {
        stalls.check(2);
    }

    /** Reports (B's offer went in, state of C, state of A, lost claims). */
    void drain(final IIII_Result r)
    {
        stalls.check(2);
        pollSeen();
        r.r1 = offered == Publisher.BACK_PRESSURED ? 0 : 1;
        r.r2 = seen.state(0);
        r.r3 = seen.state(1);
        r.r4 = (int)Rings.lostClaims(segment);
    }
}
