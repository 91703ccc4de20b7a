package io.shmlink.jcstress;

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
import org.openjdk.jcstress.infra.results.IIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * MPSC at the wrap: two publishers race for the last 32 bytes of the ring. A's record needs 48 bytes, B's 16.
 * If A wins, A pads the 32 bytes and writes at index 0, B follows it (96 bytes in all); if B wins, B fits at the
 * end and A pads the remaining 16 (80 bytes). A's padding and A's record are two CASes, so B, walking over the
 * padding, may take the next lap's start between them (96 bytes, B first). Either way both arrive whole, once, and
 * the consumed ring reads zero again.
 */
@JCStressTest
@Description("MPSC publishers racing at the ring end: padding and records never torn, never lost")
@Outcome(id = "1, 1, 96, 1, 0", expect = ACCEPTABLE, desc = "A claimed first: padding 32, A at 0, then B")
@Outcome(id = "1, 1, 80, 2, 0", expect = ACCEPTABLE, desc = "B claimed first: B at the end, padding 16, A at 0")
@Outcome(id = "1, 1, 96, 2, 0", expect = ACCEPTABLE,
    desc = "A padded the end, then B claimed the next lap's start before A: B at 0, then A")
@Outcome(expect = FORBIDDEN, desc = "torn, lost or duplicated record, wrong extent, or consumed bytes left")
@State
public class MpscWrapAroundTest
{
    private static final long START = Rings.CAPACITY - 32;
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private final ChannelSegment segment = Rings.segment(true, START);
    private final RingWriter writerA = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingWriter writerB = Rings.writer(segment, true, Rings.SESSION_B);
    private final UnsafeBuffer messageA = Rings.message(40, A);
    private final UnsafeBuffer messageB = Rings.message(8, B);

    @Actor
    public void publisherA()
    {
        writerA.write(messageA, 0, 40);
    }

    @Actor
    public void publisherB()
    {
        writerB.write(messageB, 0, 8);
    }

    @Arbiter
    public void subscriber(final IIIII_Result r)
    {
        final RingReader reader = Rings.reader(segment, true);
        final Rings.Seen seen = new Rings.Seen(A, B);
        reader.read(seen, 10);
        r.r1 = seen.state(0);
        r.r2 = seen.state(1);
        r.r3 = (int)(reader.position() - START);
        r.r4 = seen.order(0) == A ? 1 : seen.order(0) == B ? 2 : 0;
        r.r5 = Rings.dirty(segment, reader.position()) ? 1 : 0;
    }
}
