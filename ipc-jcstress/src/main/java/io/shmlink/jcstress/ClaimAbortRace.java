package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The race that {@link SpscClaimAbortTest} and {@link MpscClaimAbortTest} run on a channel of their mode: a
 * publisher claims a 24-byte message (a one-line record, 64 bytes), fills it, aborts it (64 bytes of padding),
 * then offers a marker, while the subscriber polls. The aborted record is never handed over, not even half-filled;
 * the marker arrives once. Outcomes: (aborted copies the poll delivered, plus 100 if any was torn; markers it
 * delivered; markers a later drain delivered; aborted or torn copies the drain delivered).
 */
@Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "poll skipped the aborted claim and delivered the marker")
@Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "poll came early; the marker arrives later")
@Outcome(expect = FORBIDDEN, desc = "aborted payload delivered, marker lost, duplicated or torn")
final class ClaimAbortRace extends ChannelRace
{
    private static final long ABORTED = 0x0BAD_0BAD_0BAD_0BADL;
    private final UnsafeBuffer marker = Rings.message(8, Rings.MARKER);

    ClaimAbortRace(final boolean mpsc)
    {
        super(mpsc, 0, Rings.MARKER, ABORTED);
    }

    void publish()
    {
        final BufferClaim claim = Rings.claimAndFill(writer, 24, ABORTED);
        claim.abort();
        writer.write(marker, 0, 8);
    }

    void poll(final IIII_Result r)
    {
        pollSeen();
        r.r1 = seen.intact(1) + (seen.torn() > 0 ? 100 : 0);
        r.r2 = seen.intact(0);
    }

    void drain(final IIII_Result r)
    {
        final Rings.Seen later = drainRest();
        r.r3 = later.intact(0);
        r.r4 = later.intact(1) + later.torn();
    }
}
