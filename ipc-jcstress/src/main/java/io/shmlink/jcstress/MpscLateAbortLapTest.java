package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A late abort racing another publisher's claim at the same index a lap later. Before the race, A claimed a
 * record at position 0 and held it past the timeout; the subscriber skipped it (holding its space), and B filled
 * the rest of the ring, all of it delivered. In the race, A aborts at last, B offers C (which fits only where A's
 * record was, a lap later), and the subscriber looks at the held claim again. B's claim succeeds only after the
 * subscriber saw A let go, so A's store lands on its own record: C arrives intact, once, or B is back-pressured.
 */
@JCStressTest
@JCStressMeta(HeldClaimLap.class)
@Description("MPSC: a late abort of a skipped claim never reaches a later lap's record at its index")
@State
public class MpscLateAbortLapTest
{
    private final HeldClaimLap lap = new HeldClaimLap();

    @Actor
    public void publisherA()
    {
        lap.claim.abort();
    }

    @Actor
    public void publisherB()
    {
        lap.publisherB();
    }

    @Actor
    public void subscriber()
    {
        lap.subscriber();
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        lap.drain(r);
    }
}
