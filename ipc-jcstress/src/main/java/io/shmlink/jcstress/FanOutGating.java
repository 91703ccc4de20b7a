package io.shmlink.jcstress;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.liveness.SubscriberSlots;
import io.shmlink.shm.ring.FanOutGate;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.shmlink.shm.ring.RecordDescriptor.ALIGNMENT;
import static io.shmlink.shm.ring.RecordDescriptor.HEADER_LENGTH;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The race of a fan-out publisher with its slowest subscriber (issue 19's gating): the ring holds fifteen 256-byte
 * records that one subscriber has read and the other, the slow one, has not. The publisher tries one more record,
 * which fits only once the slow subscriber has let go of its first record (the record plus the word after it that
 * the publisher zeroes or finds marked; on MPMC the cleaning publisher marks the released space free first). The
 * slow subscriber reads its backlog meanwhile. It must receive all fifteen intact, whatever the publisher did; the
 * sixteenth arrives intact or not at all. Run on SPMC by {@link SpmcGatingTest} and on MPMC by
 * {@link MpmcGatingTest}. Outcomes: (backlog records the slow subscriber's first poll delivered intact, records
 * delivered intact in all and -1 if any was torn, whether the publisher's record went in).
 */
@Outcome(id = "15, 15, 0", expect = ACCEPTABLE, desc = "the publisher found the ring full: back-pressured")
@Outcome(id = "15, 16, 1", expect = ACCEPTABLE_INTERESTING,
    desc = "the slow subscriber let go first; the new record went in and arrived intact")
@Outcome(expect = FORBIDDEN, desc = "a backlog record overwritten, torn, lost or duplicated")
final class FanOutGating
{
    /** A message whose record takes four lines: 256 bytes. */
    private static final int LENGTH = 4 * ALIGNMENT - HEADER_LENGTH;
    private static final int RECORD = Rings.named(Rings.recordLength(LENGTH), 256);
    /** All the records the ring holds but one: the publisher's next one needs the slow subscriber's first. */
    private static final int BACKLOG = Rings.named(Rings.CAPACITY / RECORD - 1, 15);
    private static final long OLD = 0x0101_0101_0101_0101L;
    private static final long NEW = 0x0202_0202_0202_0202L;

    private final RingWriter writer;
    private final RingReader slow;
    private final UnsafeBuffer next = Rings.message(LENGTH, NEW);
    private final Rings.Seen seen = new Rings.Seen(OLD, NEW);
    private long sent;

    FanOutGating(final ChannelMode mode)
    {
        final ChannelSegment segment =
            InMemorySegments.create(new ChannelConfig(mode, Rings.CAPACITY, Rings.CAPACITY / 8, 2));
        final SubscriberSlots.Attachment fast = SubscriberSlots.attach(segment);
        final SubscriberSlots.Attachment slowSlot = SubscriberSlots.attach(segment);
        writer = RingWriter.of(
            segment, Rings.SESSION_A, new FanOutGate(segment, ProcessToken.SELF, token -> false, session -> false));
        final UnsafeBuffer old = Rings.message(LENGTH, OLD);
        for (int i = 0; i < BACKLOG; i++)
        {
            if (writer.write(old, 0, LENGTH) < 0)
            {
                throw new IllegalStateException("the backlog must fit");
            }
        }
        final RingReader fastReader = new RingReader(segment, fast.slot(), fast.attachment(), fast.start());
        if (fastReader.read((buffer, offset, length) -> {}, 100) != BACKLOG)
        {
            throw new IllegalStateException("the fast subscriber reads the backlog");
        }
        slow = new RingReader(segment, slowSlot.slot(), slowSlot.attachment(), slowSlot.start());
    }

    void publish()
    {
        sent = writer.write(next, 0, LENGTH);
    }

    void read(final III_Result r)
    {
        slow.read(seen, 100);
        r.r1 = seen.intact(0);
    }

    void drain(final III_Result r)
    {
        slow.read(seen, 100);
        r.r2 = seen.torn() == 0 ? seen.intact(0) + seen.intact(1) : -1;
        r.r3 = sent > 0 ? 1 : 0;
    }
}
