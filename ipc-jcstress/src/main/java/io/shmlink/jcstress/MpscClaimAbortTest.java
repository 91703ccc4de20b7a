package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * MPSC: a publisher claims a record, fills it, aborts it, then offers a marker, while the subscriber polls. The
 * aborted record is never handed over, not even half-filled; the marker arrives once.
 */
@JCStressTest
@JCStressMeta(ClaimAbortRace.class)
@Description("MPSC claim then abort leaves no visible record")
@State
public class MpscClaimAbortTest
{
    private final ClaimAbortRace race = new ClaimAbortRace(true);

    @Actor
    public void publisher()
    {
        race.publish();
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        race.poll(r);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        race.drain(r);
    }
}
