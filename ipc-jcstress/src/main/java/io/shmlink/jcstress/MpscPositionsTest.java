package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * MPSC with one publisher: head and tail only grow (with several, the tail is a hint that may go back). The
 * publisher sends two 64-byte (one-line) records across the end of the ring and reads the head before and after;
 * the subscriber reads the tail before and after polling twice. Each pair must be non-decreasing, and the
 * subscriber never gets ahead of the tail it saw last. Results are positions relative to the start: 0, 64 or 128.
 */
@JCStressTest
@JCStressMeta(PositionsRace.class)
@Description("MPSC head and tail positions never go backwards")
@State
public class MpscPositionsTest
{
    private final PositionsRace race = new PositionsRace(true);

    @Actor
    public void publisher(final IIII_Result r)
    {
        race.publish(r);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        race.poll(r);
    }
}
