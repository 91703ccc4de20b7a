package io.shmlink.jcstress;

import io.shmlink.api.ChannelMode;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * MPMC gating (the cleaning publisher marks the released space free first): see {@link FanOutGating}. Outcomes: (backlog records the slow subscriber's first poll delivered
 * intact, records delivered intact in all and -1 if any was torn, whether the publisher's record went in).
 */
@JCStressTest
@JCStressMeta(FanOutGating.class)
@Description("An MPMC publisher never overwrites what the slowest subscriber has not read")
@State
public class MpmcGatingTest
{
    private final FanOutGating gating = new FanOutGating(ChannelMode.MPMC);

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
