package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ring.RingReader;
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
 * A late abort racing another publisher's claim at the same index a lap later. Before the race, A claimed a
 * record at position 0 and held it past the timeout; the subscriber skipped it (holding its space), and B filled
 * the rest of the ring, all of it delivered. In the race, A aborts at last, B offers C (which fits only where A's
 * record was, a lap later), and the subscriber looks at the held claim again. B's claim succeeds only after the
 * subscriber saw A let go, so A's store lands on its own record: C arrives intact, once, or B is back-pressured.
 */
@JCStressTest
@Description("MPSC: a late abort of a skipped claim never reaches a later lap's record at its index")
@Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE, desc = "B back-pressured: A's space was still held")
@Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE_INTERESTING, desc = "A let go, the space was released, C arrived")
@Outcome(expect = FORBIDDEN, desc = "A delivered, C torn, lost or duplicated, or the lost claim miscounted")
@State
public class MpscLateAbortLapTest
{
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private static final long C = 0x0C0C_0C0C_0C0C_0C0CL;
    private final ChannelSegment segment = Rings.segment(true, 0);
    private final RingWriter writerA = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingWriter writerB = Rings.writer(segment, true, Rings.SESSION_B);
    private final RingReader reader = Rings.reader(segment, true, 1);
    private final BufferClaim claim = Rings.claimAndFill(writerA, 8, A);
    private final Rings.Seen seen = new Rings.Seen(C, A);
    private long offered;

    public MpscLateAbortLapTest()
    {
        reader.checkForStalledClaim(0);
        reader.checkForStalledClaim(1); // skipped: held
        final Rings.Seen before = new Rings.Seen(B);
        while (writerB.write(Rings.message(8, B), 0, 8) > 0)
        {
            reader.read(before, 100);
        }
        reader.read(before, 100);
        if (before.torn() != 0 || before.intact(0) != before.count())
        {
            throw new IllegalStateException("B's messages before the race were not delivered whole");
        }
    }

    @Actor
    public void publisherA()
    {
        claim.abort();
    }

    @Actor
    public void publisherB()
    {
        offered = writerB.write(Rings.message(8, C), 0, 8);
    }

    @Actor
    public void subscriber()
    {
        reader.checkForStalledClaim(2);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        reader.checkForStalledClaim(2);
        reader.read(seen, 10);
        r.r1 = offered == Publisher.BACK_PRESSURED ? 0 : 1;
        r.r2 = seen.state(0);
        r.r3 = seen.state(1);
        r.r4 = (int)Rings.lostClaims(segment);
    }
}
