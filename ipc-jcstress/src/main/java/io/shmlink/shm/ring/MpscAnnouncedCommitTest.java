package io.shmlink.shm.ring;

import io.shmlink.api.BufferClaim;
import io.shmlink.jcstress.Rings;
import io.shmlink.shm.segment.ChannelSegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * An offer's commit racing the skip of its record, once the subscriber has announced the record as stalled. Before
 * the race, A claimed and filled a record at position 64 (above the announcement's initial 0, so the announcement
 * is what decides), B sent a message after it, and the subscriber announced A's record and started the stall's
 * clock. In the race, A commits as a copying offer does ({@code commitCopied}: it reads the announcement, finds
 * its record suspected and CASes) while the subscriber, past its 1 ns claim timeout, skips the claim and polls.
 * Either A arrives or it is counted lost; a commit that lost the race never leaves its length in free space.
 * <p>
 * In this package because {@code commitCopied} is package-private: the publisher API reaches it only through a
 * whole offer, whose claim the test could not place before the announcement.
 */
@JCStressTest
@Description("MPSC: an offer commit of an announced record wins or is counted, never left in free space")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "A committed before the skip: delivered")
@Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE_INTERESTING, desc = "skip won: A's commit failed, counted as lost")
@Outcome(expect = FORBIDDEN, desc = "B lost or torn, A lost uncounted or counted and delivered, or free space dirty")
@State
public class MpscAnnouncedCommitTest
{
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private static final long POSITION_A = 64;
    private final ChannelSegment segment = Rings.segment(true, POSITION_A);
    private final RingWriter writerA = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, true, 1);
    private final Rings.Seen seen = new Rings.Seen(A, B);

    public MpscAnnouncedCommitTest()
    {
        final BufferClaim claim = Rings.claimAndFill(writerA, 8, A);
        if (claim.buffer().addressOffset() !=
            segment.address() + RING_OFFSET + POSITION_A + RecordDescriptor.HEADER_LENGTH)
        {
            throw new IllegalStateException("A's record is not at position " + POSITION_A);
        }
        Rings.writer(segment, true, Rings.SESSION_B).write(Rings.message(16, B), 0, 16);
        reader.checkForStalledClaim(0); // announces A's record
        reader.checkForStalledClaim(0); // starts the stall's clock
    }

    @Actor
    public void publisherA()
    {
        writerA.commitCopied(POSITION_A, RING_OFFSET + (int)POSITION_A, 8);
    }

    @Actor
    public void subscriber()
    {
        reader.checkForStalledClaim(1);
        reader.read(seen, 10);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        Rings.drainInto(r, reader, seen, segment, true);
    }
}
