package io.shmlink.jcstress;

import io.shmlink.api.ChannelMode;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * SPMC gating: see {@link FanOutGating}. Outcomes: (backlog records the slow subscriber's first poll delivered
 * intact, records delivered intact in all and -1 if any was torn, whether the publisher's record went in).
 */
@JCStressTest
@Description("An SPMC publisher never overwrites what the slowest subscriber has not read")
@Outcome(id = "15, 15, 0", expect = ACCEPTABLE, desc = "the publisher found the ring full: back-pressured")
@Outcome(id = "15, 16, 1", expect = ACCEPTABLE_INTERESTING,
    desc = "the slow subscriber let go first; the new record went in and arrived intact")
@Outcome(expect = FORBIDDEN, desc = "a backlog record overwritten, torn, lost or duplicated")
@State
public class SpmcGatingTest
{
    private final FanOutGating gating = new FanOutGating(ChannelMode.SPMC);

    @Actor
    public void publisher()
    {
        gating.publish();
    }

    @Actor
    public void slowSubscriber(final III_Result r)
    {
        gating.read(r);
    }

    @Arbiter
    public void drain(final III_Result r)
    {
        gating.drain(r);
    }
}
