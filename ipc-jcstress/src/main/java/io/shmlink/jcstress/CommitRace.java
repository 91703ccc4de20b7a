package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The race of {@link SpscCommitTest} (an {@code offer}) and {@link MpscClaimCommitTest} (a claim filled in place and
 * committed) with a subscriber's poll, on a channel of their mode: a 24-byte message (a one-line, 64-byte record) is
 * seen whole or not at all, and what the poll missed a later drain delivers once. Outcomes: (messages the poll
 * delivered, its state; intact copies the drain delivered or -1 if any was torn; on MPSC, whether a consumed record
 * boundary was left without its free word).
 */
final class CommitRace extends ChannelRace
{
    private static final int LENGTH = 24;
    private final UnsafeBuffer message = Rings.message(LENGTH, Rings.VALUE);

    /** The outcomes of {@link SpscCommitTest}: an {@code offer} and a poll, three results. */
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "poll ran before the commit; the next poll delivers it")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "poll saw the committed record, every byte")
    @Outcome(expect = FORBIDDEN, desc = "torn payload, duplicate or loss")
    static final class Offered
    {
        private Offered()
        {
        }
    }

    /**
     * The outcomes of {@link MpscClaimCommitTest}: a claim committed in place and a poll, four results. The
     * subscriber marks what it consumed free for the next lap (the free word at each record boundary, see
     * {@link Rings#dirty}).
     */
    @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "poll ran before the commit; the next poll delivers it")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "poll saw the committed record, every byte")
    @Outcome(expect = FORBIDDEN, desc = "torn payload, duplicate, loss, or consumed space not marked free")
    static final class ClaimedAndCommitted
    {
        private ClaimedAndCommitted()
        {
        }
    }

    CommitRace(final boolean mpsc)
    {
        super(mpsc, 0, Rings.VALUE);
    }

    void offer()
    {
        writer.write(message, 0, LENGTH);
    }

    void claimAndCommit()
    {
        final BufferClaim claim = Rings.claimAndFill(writer, LENGTH, Rings.VALUE);
        claim.commit();
    }

    void poll(final III_Result r)
    {
        r.r1 = pollSeen();
        r.r2 = seen.state(0);
    }

    void poll(final IIII_Result r)
    {
        r.r1 = pollSeen();
        r.r2 = seen.state(0);
    }

    void drain(final III_Result r)
    {
        r.r3 = drained();
    }

    void drain(final IIII_Result r)
    {
        r.r3 = drained();
        r.r4 = Rings.dirty(segment, reader.position()) ? 1 : 0;
    }

    private int drained()
    {
        final Rings.Seen later = drainRest();
        return later.torn() == 0 ? later.intact(0) : -1;
    }
}
