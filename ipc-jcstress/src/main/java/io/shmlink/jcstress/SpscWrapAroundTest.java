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
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * SPSC at the wrap: 16 bytes are left before the end of the ring and the record needs 48, so the publisher
 * writes a 16-byte padding record at the end and the message at index 0. The subscriber must never hand over a
 * message straddling the end, nor a torn one, nor the padding.
 */
@JCStressTest
@Description("SPSC record wrapping the ring end behind padding is never torn")
@Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE, desc = "poll saw nothing; the next poll delivers the message")
@Outcome(id = "1, 1, 64, 0", expect = ACCEPTABLE, desc = "poll skipped the padding and delivered the message")
@Outcome(id = "0, 0, 16, 1", expect = ACCEPTABLE_INTERESTING,
    desc = "poll consumed the padding before the message was committed; the next poll delivers it")
@Outcome(expect = FORBIDDEN, desc = "torn or straddling message, padding delivered, duplicate or loss")
@State
public class SpscWrapAroundTest
{
    private static final long START = Rings.CAPACITY - 16;
    private static final long VALUE = 0x1122_3344_5566_7788L;
    private final ChannelSegment segment = Rings.segment(false, START);
    private final RingWriter writer = Rings.writer(segment, false, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, false);
    private final UnsafeBuffer message = Rings.message(40, VALUE);
    private final Rings.Seen seen = new Rings.Seen(VALUE);

    @Actor
    public void publisher()
    {
        writer.write(message, 0, 40);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        r.r1 = reader.read(seen, 10);
        r.r2 = seen.state(0);
        r.r3 = (int)(reader.position() - START);
    }

    @Arbiter
    public void drain(final IIII_Result r)
    {
        final Rings.Seen later = new Rings.Seen(VALUE);
        reader.read(later, 10);
        r.r4 = later.torn() == 0 && reader.position() == START + 64 ? later.intact(0) : -1;
    }
}
