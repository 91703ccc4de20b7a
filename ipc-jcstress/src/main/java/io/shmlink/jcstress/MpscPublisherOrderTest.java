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

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * MPSC: publisher A sends A1 then A2 while the subscriber polls, each time for one message, three times. A1's record
 * (one 64-byte line, {@link RecordDescriptor#ALIGNMENT}) fills the last line of the ring and A2's wraps to index 0.
 * Whatever the subscriber gets is a prefix of A's stream: A2 never before A1, nothing twice, nothing torn.
 */
@JCStressTest
@Description("MPSC publisher's messages reach a concurrent subscriber in order, each once")
@Outcome(id = "0, 0, 0, 2", expect = ACCEPTABLE, desc = "polls ran before the first commit")
@Outcome(id = "1, 0, 0, 1", expect = ACCEPTABLE, desc = "polls saw A1 only")
@Outcome(id = "1, 2, 0, 0", expect = ACCEPTABLE, desc = "polls saw A1 then A2")
@Outcome(id = "0, 1, 2, 0", expect = ACCEPTABLE_INTERESTING, desc = "first poll empty, then A1, A2")
@Outcome(id = "0, 0, 1, 1", expect = ACCEPTABLE_INTERESTING, desc = "two empty polls, then A1")
@Outcome(id = "0, 1, 0, 1", expect = ACCEPTABLE_INTERESTING, desc = "empty, A1, empty")
@Outcome(id = "1, 0, 2, 0", expect = ACCEPTABLE_INTERESTING, desc = "A1, empty, A2")
@Outcome(expect = FORBIDDEN, desc = "out of order, duplicated, torn or lost")
@State
public class MpscPublisherOrderTest extends ChannelRace
{
    private static final long A1 = 0x0A01_0A01_0A01_0A01L;
    private static final long A2 = 0x0A02_0A02_0A02_0A02L;
    private static final int LENGTH_1 = 8;
    private static final int LENGTH_2 = 16;
    /** One line before the end of the ring: A1's record fills it, A2's starts the next lap. */
    private static final long START = Rings.CAPACITY - Rings.named(Rings.recordLength(LENGTH_1), 64);
    private final UnsafeBuffer first = Rings.message(LENGTH_1, A1);
    private final UnsafeBuffer second = Rings.message(LENGTH_2, A2);

    /** An MPSC channel whose positions start one line before the end of the ring. */
    public MpscPublisherOrderTest()
    {
        super(true, START, A1, A2);
    }

    @Actor
    public void publisher()
    {
        writer.write(first, 0, LENGTH_1);
        writer.write(second, 0, LENGTH_2);
    }

    @Actor
    public void subscriber(final IIII_Result r)
    {
        r.r1 = poll();
        r.r2 = poll();
        r.r3 = poll();
    }

    /** 0 for an empty poll, 1 for A1, 2 for A2, 9 for anything else. */
    private int poll()
    {
        final Rings.Seen seen = new Rings.Seen(A1, A2);
        final int n = reader.read(seen, 1);
        if (n == 0)
        {
            return 0;
        }
        return seen.state(0) == Rings.INTACT ? 1 : seen.state(1) == Rings.INTACT ? 2 : 9;
    }

    /**
     * Messages still to come after the three polls: what the subscriber did not see yet, intact.
     *
     * @param r its fourth field gets the count, or -1 if any was torn.
     */
    @Arbiter
    public void drain(final IIII_Result r)
    {
        final Rings.Seen later = drainRest();
        r.r4 = later.torn() == 0 ? later.count() : -1;
    }
}
