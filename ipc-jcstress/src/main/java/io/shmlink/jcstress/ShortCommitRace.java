package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The race that {@link SpscShortCommitTest} and {@link MpscShortCommitTest} run on a channel of their mode: a
 * publisher claims 64 bytes (a 128-byte record: two lines), fills them, commits only the first 16
 * ({@code BufferClaim.commit(int)}: a one-line record, and a 64-byte padding record over the second line), then
 * offers a marker, while the subscriber polls. The short message arrives whole and once, the padding over the rest
 * of the claim is read past (never delivered, never read as a header before it was written), and the marker
 * follows it. Outcomes: (state of the message and of the marker in the poll, -1 for the marker if it came without
 * the message; their states in a later drain).
 */
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "poll saw both")
@Outcome(id = "1, 0, 0, 1", expect = ACCEPTABLE, desc = "poll saw the short message; the marker came later")
@Outcome(id = "0, 0, 1, 1", expect = ACCEPTABLE, desc = "poll came early; both arrive later")
@Outcome(expect = FORBIDDEN, desc = "torn, duplicated, lost, out of order, or the unused rest read as records")
final class ShortCommitRace extends ChannelRace
{
    private static final int CLAIMED = 64;
    private static final int COMMITTED = 16;
    /** The unused rest of the claim: one line of padding after the short record. */
    private static final int PADDING =
        Rings.named(Rings.recordLength(CLAIMED) - Rings.recordLength(COMMITTED), 64);
    private final UnsafeBuffer marker = Rings.message(8, Rings.MARKER);

    ShortCommitRace(final boolean mpsc)
    {
        super(mpsc, 0, Rings.VALUE, Rings.MARKER);
    }

    void publish()
    {
        final BufferClaim claim = Rings.claimAndFill(writer, CLAIMED, Rings.VALUE);
        claim.commit(COMMITTED);
        writer.write(marker, 0, 8);
    }

    void poll(final IIII_Result r)
    {
        pollSeen();
        r.r1 = seen.state(0);
        r.r2 = seen.state(1) == Rings.INTACT && seen.state(0) != Rings.INTACT ? -1 : seen.state(1);
    }

    void drain(final IIII_Result r)
    {
        final Rings.Seen later = drainRest();
        r.r3 = later.state(0);
        r.r4 = later.state(1);
    }
}
