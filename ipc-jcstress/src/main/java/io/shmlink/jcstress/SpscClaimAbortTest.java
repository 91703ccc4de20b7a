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
 * SPSC: a publisher claims a record, fills it, aborts it, then offers a marker, while the subscriber polls. The
 * aborted record is never handed over, not even half-filled; the marker arrives once.
 */
@JCStressTest
@Description("SPSC claim then abort leaves no visible record")
@Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "poll skipped the aborted claim and delivered the marker")
@Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "poll came early; the marker arrives later")
@Outcome(expect = FORBIDDEN, desc = "aborted payload delivered, marker lost, duplicated or torn")
@State
public class SpscClaimAbortTest
{
    private static final long ABORTED = 0x0BAD_0BAD_0BAD_0BADL;
    private static final long MARKER = 0x0600_D000_0600_D000L;
    private final ChannelSegment segment = Rings.segment(false, 0);
    private final RingWriter writer = Rings.writer(segment, false, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, false);
    private final UnsafeBuffer marker = Rings.message(8, MARKER);
    private final Rings.Seen seen = new Rings.Seen(MARKER, ABORTED);

    @Actor
    public void publisher()
    {
        final BufferClaim claim = Rings.claimAndFill(writer, 24, ABORTED);
        claim.abort();
        writer.write(marker, 0, 8);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        reader.read(seen, 10);
        r.r1 = seen.intact(1) + (seen.torn() > 0 ? 100 : 0);
        r.r2 = seen.intact(0);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        final Rings.Seen later = new Rings.Seen(MARKER, ABORTED);
        reader.read(later, 10);
        r.r3 = later.intact(0);
        r.r4 = later.intact(1) + later.torn();
    }
}
