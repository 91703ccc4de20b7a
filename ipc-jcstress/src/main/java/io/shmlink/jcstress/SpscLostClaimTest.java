package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * SPSC lost-claim recovery racing a late commit. Before the race, A claimed and filled a record without committing
 * it, B sent a message after it, and the subscriber saw the stall once (at time 0). In the race, A commits while
 * the subscriber, at time 1 (past its 1 ns claim timeout), skips the stalled claim and polls. Either A's commit
 * came first and A arrives, or the skip came first and A is counted lost; B always arrives, once, intact.
 */
@JCStressTest
@JCStressMeta(LostClaimRace.class)
@Description("SPSC lost-claim skip never drops a committed record; a commit that loses the race is counted")
@State
public class SpscLostClaimTest
{
    private final LostClaimRace race = new LostClaimRace(false);

    @Actor
    public void publisherA()
    {
        race.commitA();
    }

    @Actor
    public void subscriber()
    {
        race.skipAndPoll();
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        race.drain(r);
    }
}
