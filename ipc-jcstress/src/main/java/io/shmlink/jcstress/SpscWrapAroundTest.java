package io.shmlink.jcstress;

import io.shmlink.shm.ring.RecordDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * SPSC at the wrap: one 64-byte line ({@link RecordDescriptor#ALIGNMENT}) is left before the end of the ring and
 * the record needs two (a 120-byte message makes a 128-byte record), so the publisher writes a 64-byte padding
 * record at the end and the message at index 0. The subscriber must never hand over a message straddling the end,
 * nor a torn one, nor the padding. Positions in the outcomes are relative to the start: 64 past the padding, 192
 * past the message.
 */
@JCStressTest
@Description("SPSC record wrapping the ring end behind padding is never torn")
@Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE, desc = "poll saw nothing; the next poll delivers the message")
@Outcome(id = "1, 1, 192, 0", expect = ACCEPTABLE, desc = "poll skipped the padding and delivered the message")
@Outcome(id = "0, 0, 64, 1", expect = ACCEPTABLE_INTERESTING,
    desc = "poll consumed the padding before the message was committed; the next poll delivers it")
@Outcome(expect = FORBIDDEN, desc = "torn or straddling message, padding delivered, duplicate or loss")
@State
public class SpscWrapAroundTest extends ChannelRace
{
    /** The padding: one line left before the end. */
    private static final int PADDING = Rings.named(ALIGNMENT, 64);
    private static final long START = Rings.CAPACITY - PADDING;
    /** A message whose record needs two lines: more than the line left. */
    private static final int LENGTH = 2 * ALIGNMENT - HEADER_LENGTH;
    /** Where the message ends, relative to the start: the padding and the record. */
    private static final int END = Rings.named(PADDING + Rings.recordLength(LENGTH), 192);
    private static final long VALUE = 0x1122_3344_5566_7788L;
    private final UnsafeBuffer message = Rings.message(LENGTH, VALUE);

    /** An SPSC channel whose positions start one line before the end of the ring. */
    public SpscWrapAroundTest()
    {
        super(false, START, VALUE);
    }

    @Actor
    public void publisher()
    {
        writer.write(message, 0, LENGTH);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        r.r1 = pollSeen();
        r.r2 = seen.state(0);
        r.r3 = (int)(reader.position() - START);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        final Rings.Seen later = drainRest();
        r.r4 = later.torn() == 0 && reader.position() == START + END ? later.intact(0) : -1;
    }
}
