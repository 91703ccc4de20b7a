package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The race of {@link SpscCommitTest} (an {@code offer}) and {@link MpscClaimCommitTest} (a claim filled in place and
 * committed) with a subscriber's poll, on a channel of their mode: a 24-byte message (a one-line, 64-byte record) is
 * seen whole or not at all, and what the poll missed a later drain delivers once. Outcomes: (messages the poll
 * delivered, its state; intact copies the drain delivered or -1 if any was torn; on MPSC, whether a consumed record
 * boundary was left without its free word).
 */
final class CommitRace
{
    private static final long VALUE = 0x0123_4567_89AB_CDEFL;
    private static final int LENGTH = 24;
    private final Rings.Channel ring;
    private final UnsafeBuffer message = Rings.message(LENGTH, VALUE);
    private final Rings.Seen seen = new Rings.Seen(VALUE);

    CommitRace(final boolean mpsc)
    {
        ring = new Rings.Channel(mpsc, 0);
    }

    void offer()
    {
        ring.writer.write(message, 0, LENGTH);
    }

    void claimAndCommit()
    {
        final BufferClaim claim = Rings.claimAndFill(ring.writer, LENGTH, VALUE);
        claim.commit();
    }

    void poll(final III_Result r)
    {
        r.r1 = ring.reader.read(seen, 10);
        r.r2 = seen.state(0);
    }

    void poll(final IIII_Result r)
    {
        r.r1 = ring.reader.read(seen, 10);
        r.r2 = seen.state(0);
    }

    void drain(final III_Result r)
    {
        r.r3 = drained();
    }

    void drain(final IIII_Result r)
    {
        r.r3 = drained();
        r.r4 = Rings.dirty(ring.segment, ring.reader.position()) ? 1 : 0;
    }

    private int drained()
    {
        final Rings.Seen later = new Rings.Seen(VALUE);
        ring.reader.read(later, 10);
        return later.torn() == 0 ? later.intact(0) : -1;
    }
}
