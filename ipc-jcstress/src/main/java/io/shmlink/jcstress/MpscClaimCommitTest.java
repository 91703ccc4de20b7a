package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * MPSC, zero-copy: a publisher claims, fills the claimed region in place and commits while the subscriber polls.
 * The subscriber sees the record whole or not at all, and marks what it consumed free for the next lap (the free
 * word at each record boundary, see {@link Rings#dirty}).
 */
@JCStressTest
@Description("MPSC tryClaim+commit racing poll: payload never visible before the commit; consumed space marked free")
@Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "poll ran before the commit; the next poll delivers it")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "poll saw the committed record, every byte")
@Outcome(expect = FORBIDDEN, desc = "torn payload, duplicate, loss, or consumed space not marked free")
@State
public class MpscClaimCommitTest
{
    private final CommitRace race = new CommitRace(true);

    @Actor
    public void publisher()
    {
        race.claimAndCommit();
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
