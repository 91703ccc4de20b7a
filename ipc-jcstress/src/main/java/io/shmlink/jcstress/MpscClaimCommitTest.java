package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
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
 * The subscriber sees the record whole or not at all, and zeroes what it consumed.
 */
@JCStressTest
@Description("MPSC tryClaim+commit racing poll: payload never visible before the commit; consumed space zeroed")
@Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "poll ran before the commit; the next poll delivers it")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "poll saw the committed record, every byte")
@Outcome(expect = FORBIDDEN, desc = "torn payload, duplicate, loss, or consumed bytes left non-zero")
@State
public class MpscClaimCommitTest
{
    private static final long VALUE = 0x0123_4567_89AB_CDEFL;
    private final ChannelSegment segment = Rings.segment(true, 0);
    private final RingWriter writer = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, true);
    private final Rings.Seen seen = new Rings.Seen(VALUE);

    @Actor
    public void publisher()
    {
        final BufferClaim claim = Rings.claimAndFill(writer, 24, VALUE);
        claim.commit();
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        r.r1 = reader.read(seen, 10);
        r.r2 = seen.state(0);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        final Rings.Seen later = new Rings.Seen(VALUE);
        reader.read(later, 10);
        r.r3 = later.torn() == 0 ? later.intact(0) : -1;
        r.r4 = Rings.dirty(segment, reader.position()) ? 1 : 0;
    }
}
