package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import org.agrona.concurrent.UnsafeBuffer;
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
 * MPSC: a publisher claims 64 bytes, fills them, commits only the first 16 ({@code BufferClaim.commit(int)}),
 * then offers a marker, while the subscriber polls. The short message arrives whole and once, the padding over
 * the rest of the claim is read past (never delivered, never read as a header before it was written), and the
 * marker follows it.
 */
@JCStressTest
@Description("MPSC claim committed shorter: the message, then the marker, never the unused rest")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "poll saw both")
@Outcome(id = "1, 0, 0, 1", expect = ACCEPTABLE, desc = "poll saw the short message; the marker came later")
@Outcome(id = "0, 0, 1, 1", expect = ACCEPTABLE, desc = "poll came early; both arrive later")
@Outcome(expect = FORBIDDEN, desc = "torn, duplicated, lost, out of order, or the unused rest read as records")
@State
public class MpscShortCommitTest
{
    private static final long VALUE = 0x0123_4567_89AB_CDEFL;
    private static final long MARKER = 0x0600_D000_0600_D000L;
    private final ChannelSegment segment = Rings.segment(true, 0);
    private final RingWriter writer = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, true);
    private final UnsafeBuffer marker = Rings.message(8, MARKER);
    private final Rings.Seen seen = new Rings.Seen(VALUE, MARKER);

    @Actor
    public void publisher()
    {
        final BufferClaim claim = Rings.claimAndFill(writer, 64, VALUE);
        claim.commit(16);
        writer.write(marker, 0, 8);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        reader.read(seen, 10);
        r.r1 = seen.state(0);
        r.r2 = seen.state(1) == Rings.INTACT && seen.state(0) != Rings.INTACT ? -1 : seen.state(1);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        final Rings.Seen later = new Rings.Seen(VALUE, MARKER);
        reader.read(later, 10);
        r.r3 = later.state(0);
        r.r4 = later.state(1);
    }
}
