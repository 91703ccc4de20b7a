package io.shmlink.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * SPSC: a publisher claims 64 bytes (a two-line record), fills them, commits only the first 16
 * ({@code BufferClaim.commit(int)}: a one-line record), then offers a marker, while the subscriber polls. The short
 * message arrives whole and once, the 64-byte padding over the rest of the claim is read past (never delivered,
 * never read as a header before it was written), and the marker follows it.
 */
@JCStressTest
@JCStressMeta(ShortCommitRace.class)
@Description("SPSC claim committed shorter: the message, then the marker, never the unused rest")
@State
public class SpscShortCommitTest
{
    private final ShortCommitRace race = new ShortCommitRace(false);

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
