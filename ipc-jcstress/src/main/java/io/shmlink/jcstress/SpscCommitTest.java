package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * SPSC: a subscriber racing an {@code offer} sees the message whole or not at all, never its payload before its
 * commit; and what it did not see then it sees later, once.
 */
@JCStressTest
@Description("SPSC offer racing poll: a record's payload is never observed before its commit")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "poll ran before the commit; the next poll delivers it")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "poll saw the committed record, every byte")
@Outcome(expect = FORBIDDEN, desc = "torn payload, duplicate or loss")
@State
public class SpscCommitTest
{
    private final CommitRace race = new CommitRace(false);

    @Actor
    public void publisher()
    {
        race.offer();
    }

    @Actor
    public void subscriber(final III_Result r)
    {
        race.poll(r);
    }

    @Arbiter
    public void drain(final III_Result r)
    {
        race.drain(r);
    }
}
