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
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * SPSC: a subscriber racing an {@code offer} sees the message whole or not at all, never its payload before its
 * commit; and what it did not see then it sees later, once.
 */
@JCStressTest
@Description("SPSC offer racing poll: a record's payload is never observed before its commit")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "poll ran before the commit; the next poll delivers it")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "poll saw the committed record, every byte")
@Outcome(expect = FORBIDDEN, desc = "torn payload, duplicate or loss")
@State
public class SpscCommitTest
{
    private static final long VALUE = 0x0123_4567_89AB_CDEFL;
    private final ChannelSegment segment = Rings.segment(false, 0);
    private final RingWriter writer = Rings.writer(segment, false, Rings.SESSION_A);
    private final RingReader reader = Rings.reader(segment, false);
    private final UnsafeBuffer message = Rings.message(24, VALUE);
    private final Rings.Seen seen = new Rings.Seen(VALUE);

    @Actor
    public void publisher()
    {
        writer.write(message, 0, 24);
    }

    @Actor
    public void subscriber(final III_Result r)
    {
        r.r1 = reader.read(seen, 10);
        r.r2 = seen.state(0);
    }

    @Arbiter
    public void drain(final III_Result r)
    {
        final Rings.Seen later = new Rings.Seen(VALUE);
        reader.read(later, 10);
        r.r3 = later.torn() == 0 ? later.intact(0) : -1;
    }
}
