package io.shmlink.jcstress;

import io.shmlink.shm.ring.RecordDescriptor;
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

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * MPSC at the wrap: two publishers race for the last two 64-byte lines ({@link RecordDescriptor#ALIGNMENT}) of the
 * ring, 128 bytes. A's record needs three lines (a 184-byte message makes 192 bytes), B's one (an 8-byte message
 * makes 64). If A wins, A pads the 128 bytes and writes at index 0, B follows it (384 bytes in all); if B wins, B fits
 * at the end and A pads the remaining 64 (320). A's padding and A's record are two CASes, so B, walking over the
 * padding, may take the next lap's start between them (384 bytes, B first). Either way both arrive whole, once, and
 * every record boundary of the consumed ring holds its free word again.
 */
@JCStressTest
@Description("MPSC publishers racing at the ring end: padding and records never torn, never lost")
@Outcome(id = "1, 1, 384, 1, 0", expect = ACCEPTABLE, desc = "A claimed first: padding 128, A at 0, then B")
@Outcome(id = "1, 1, 320, 2, 0", expect = ACCEPTABLE, desc = "B claimed first: B at the end, padding 64, A at 0")
@Outcome(id = "1, 1, 384, 2, 0", expect = ACCEPTABLE,
    desc = "A padded the end, then B claimed the next lap's start before A: B at 0, then A")
@Outcome(expect = FORBIDDEN, desc = "torn, lost or duplicated record, wrong extent, or consumed space not marked free")
@State
public class MpscWrapAroundTest
{
    /** Bytes left before the end of the ring: two lines. */
    private static final int LEFT = Rings.named(2 * ALIGNMENT, 128);
    private static final long START = Rings.CAPACITY - LEFT;
    /** A's message: its record needs three lines, more than are left. */
    private static final int LENGTH_A = 3 * ALIGNMENT - HEADER_LENGTH;
    /** B's message: its record needs one line, and fits at the end with one line to spare. */
    private static final int LENGTH_B = 8;
    /** Where the records end, relative to the start, if A pads all that is left: padding, A, B. */
    private static final int A_PADS_ALL =
        Rings.named(LEFT + Rings.recordLength(LENGTH_A) + Rings.recordLength(LENGTH_B), 384);
    /** Where the records end if B takes the end first: B, A's padding of the rest, A. */
    private static final int B_AT_END = Rings.named(LEFT + Rings.recordLength(LENGTH_A), 320);
    private final ChannelSegment segment = Rings.segment(true, START);
    private final RingWriter writerA = Rings.writer(segment, true, Rings.SESSION_A);
    private final RingWriter writerB = Rings.writer(segment, true, Rings.SESSION_B);
    private final UnsafeBuffer messageA = Rings.message(LENGTH_A, Rings.A);
    private final UnsafeBuffer messageB = Rings.message(LENGTH_B, Rings.B);

    @Actor
    public void publisherA()
    {
        writerA.write(messageA, 0, LENGTH_A);
    }

    @Actor
    public void publisherB()
    {
        writerB.write(messageB, 0, LENGTH_B);
    }

    @Arbiter
    public void subscriber(final IIIII_Result r)
    {
        final RingReader reader = Rings.reader(segment, true);
        final Rings.Seen seen = new Rings.Seen(Rings.A, Rings.B);
        reader.read(seen, 10);
        r.r1 = seen.state(0);
        r.r2 = seen.state(1);
        r.r3 = (int)(reader.position() - START);
        r.r4 = seen.order(0) == Rings.A ? 1 : seen.order(0) == Rings.B ? 2 : 0;
        r.r5 = Rings.dirty(segment, reader.position()) ? 1 : 0;
    }
}
