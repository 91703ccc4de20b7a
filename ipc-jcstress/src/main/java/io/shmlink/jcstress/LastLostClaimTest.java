package io.shmlink.jcstress;

import io.shmlink.api.LostClaimInfo;
import io.shmlink.shm.segment.LastLostClaim;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.nio.ByteBuffer;

import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The sequence lock of the last lost claim: a reader racing the subscriber's write of a second lost claim over a
 * first gets one of the two whole, or nothing, never a mix. Every field of claim {@code v} is derived from
 * {@code v}, so a mix shows as fields that disagree.
 */
@JCStressTest
@Description("The last lost claim is read whole or not at all while it is rewritten")
@Outcome(id = "1", expect = ACCEPTABLE, desc = "the first claim, whole")
@Outcome(id = "2", expect = ACCEPTABLE, desc = "the second claim, whole")
@Outcome(id = "0", expect = ACCEPTABLE_INTERESTING, desc = "the write outlasted every read attempt: none")
@Outcome(expect = FORBIDDEN, desc = "a mix of the two claims")
@State
public class LastLostClaimTest
{
    private final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(RING_OFFSET));

    /** Before the race: claim 1 stored as the last lost claim. */
    public LastLostClaimTest()
    {
        store(header, 1);
    }

    private static void store(final UnsafeBuffer header, final int v)
    {
        LastLostClaim.store(header, v, 2 * v, 3 * v, 4L * v, 5L * v);
    }

    @Actor
    public void subscriber()
    {
        store(header, 2);
    }

    @Actor
    public void reader(final I_Result r)
    {
        final LostClaimInfo claim = LastLostClaim.read(header);
        if (claim == null)
        {
            r.r1 = 0;
            return;
        }
        final long v = claim.position();
        final boolean whole = claim.length() == 2 * v && claim.session() == 3 * v && claim.pid() == 4 * v &&
            claim.timeMillis() == 5 * v;
        r.r1 = whole ? (int)v : -1;
    }
}
