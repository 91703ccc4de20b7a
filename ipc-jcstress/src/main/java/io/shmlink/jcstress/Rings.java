package io.shmlink.jcstress;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.MessageHandler;
import io.shmlink.shm.ring.ClaimerLiveness;
import io.shmlink.shm.ring.MpscRingWriter;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.ring.SpscRingWriter;
import io.shmlink.shm.ring.StallDetector;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.FreeWord;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.RING_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;

/**
 * The real ring classes over an in-memory segment, and what the tests observe of them. Messages are made of
 * longs that all hold one value, so a message read before every byte landed shows up as torn.
 */
public final class Rings
{
    /** The smallest ring a channel may have. */
    public static final int CAPACITY = ChannelConfig.MIN_CAPACITY;

    /** Session of publisher A, as {@code PartySlots.session} makes them: positive, never padding. */
    public static final int SESSION_A = (1 << 7) | 1;

    /** Session of publisher B, another slot's: positive, never padding. */
    public static final int SESSION_B = (1 << 7) | 2;

    /** Publisher A's value: every long of its messages holds it. */
    static final long A = 0x0A0A_0A0A_0A0A_0A0AL;

    /** Publisher B's value. */
    static final long B = 0x0B0B_0B0B_0B0B_0B0BL;

    /** The value of a message sent after the one a race is about, to show what came after it. */
    static final long MARKER = 0x0600_D000_0600_D000L;

    /** The value of the message a race is about, where one publisher sends it. */
    static final long VALUE = 0x0123_4567_89AB_CDEFL;

    /** Outcomes of one message, as the tests report them. */
    static final int NOT_SEEN = 0;
    static final int INTACT = 1;
    static final int TORN = 2;

    /** A claim timeout no test reaches by the clock: stall checks run with explicit times. */
    static final long NEVER = Long.MAX_VALUE / 2;

    private Rings()
    {
    }

    /**
     * The bytes a message takes in the ring.
     *
     * @param messageLength of the message, not negative.
     * @return {@link RecordDescriptor#recordLength(int)}.
     */
    static int recordLength(final int messageLength)
    {
        return RecordDescriptor.recordLength(messageLength);
    }

    /**
     * A length the ring's geometry makes, checked against the number a test's outcomes and Javadoc name for it:
     * annotation ids cannot call {@link #recordLength(int)}, so they spell the numbers out, and a
     * change of the record format must fail the test loudly rather than let it race another scenario.
     *
     * @param computed the length as computed from {@link RecordDescriptor}.
     * @param named    the length the test's outcomes name.
     * @return {@code computed}.
     * @throws IllegalStateException if they differ.
     */
    static int named(final int computed, final int named)
    {
        if (computed != named)
        {
            throw new IllegalStateException("the record geometry makes " + computed + " bytes where the test's " +
                "outcomes name " + named + ": adapt the test to the record format");
        }
        return computed;
    }

    /**
     * A fresh in-memory channel of {@link #CAPACITY} bytes whose positions start at {@code startPosition}.
     *
     * @param mpsc          MPSC if true, else SPSC.
     * @param startPosition the ring's first position, a record boundary (a multiple of
     *                      {@link RecordDescriptor#ALIGNMENT}): as if that many bytes had been sent and consumed.
     * @return the segment, with a maximum message length of {@code CAPACITY / 8}.
     */
    public static ChannelSegment segment(final boolean mpsc, final long startPosition)
    {
        return InMemorySegments.createAt(
            new ChannelConfig(mpsc ? ChannelMode.MPSC : ChannelMode.SPSC, CAPACITY, CAPACITY / 8), startPosition);
    }

    /**
     * The ring writer a publisher of the channel's mode uses.
     *
     * @param segment the channel.
     * @param mpsc    true for an MPSC writer, false for SPSC.
     * @param session the publisher's session, written into its records' headers.
     * @return the writer.
     */
    public static RingWriter writer(final ChannelSegment segment, final boolean mpsc, final int session)
    {
        return mpsc ? new MpscRingWriter(segment, session) : new SpscRingWriter(segment, session);
    }

    /**
     * The channel's subscriber reader.
     *
     * @param segment the channel.
     * @param mpsc    true for MPSC: the reader marks what it releases free for its next lap.
     * @return the reader.
     */
    public static RingReader reader(final ChannelSegment segment, final boolean mpsc)
    {
        return new RingReader(segment, mpsc);
    }

    /**
     * The stall policy of a reader whose claim timeout is {@code timeoutNs} (the tests drive the checks with
     * explicit times) and that never learns a claimer died.
     *
     * @param reader    the reader whose stalls it checks.
     * @param timeoutNs the claim timeout, in the nanoseconds of the times the tests pass.
     * @return the stall detector.
     */
    public static StallDetector stalls(final RingReader reader, final long timeoutNs)
    {
        return new StallDetector(reader, timeoutNs, ClaimerLiveness.UNKNOWN);
    }

    /**
     * A message whose every long holds one value.
     *
     * @param length bytes, a multiple of 8.
     * @param value  the value of each long.
     * @return the message.
     */
    public static UnsafeBuffer message(final int length, final long value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i += 8)
        {
            buffer.putLong(i, value);
        }
        return buffer;
    }

    /**
     * Claims a message in place and fills it, without committing.
     *
     * @param writer the publisher's writer.
     * @param length bytes, a multiple of 8.
     * @param value  the value of each long.
     * @return the claim, to commit or abort.
     * @throws IllegalStateException if the ring has no room for the claim.
     */
    public static BufferClaim claimAndFill(final RingWriter writer, final int length, final long value)
    {
        final BufferClaim claim = new BufferClaim();
        if (writer.claim(length, claim) < 0)
        {
            throw new IllegalStateException("ring full in a test that expects room");
        }
        for (int i = 0; i < length; i += 8)
        {
            claim.buffer().putLong(claim.offset() + i, value);
        }
        return claim;
    }

    static long tail(final ChannelSegment segment)
    {
        return segment.buffer().getLongVolatile(TAIL_POSITION_OFFSET);
    }

    /**
     * The channel's lost-claim counter.
     *
     * @param segment the channel.
     * @return how many claims its subscriber skipped.
     */
    public static long lostClaims(final ChannelSegment segment)
    {
        return segment.buffer().getLongVolatile(LOST_CLAIMS_OFFSET);
    }

    /**
     * Whether an MPSC ring whose backlog was fully consumed up to {@code position} holds, at any record boundary
     * (every {@link RecordDescriptor#ALIGNMENT} bytes), a word that is not the free word of the next position to use
     * it: the subscriber marks every boundary it consumes, and a publisher's header CAS relies on free space holding
     * exactly that word there. Words between boundaries are never read as headers, so nobody marks them.
     *
     * @param segment  the MPSC channel.
     * @param position where the consumed backlog ends.
     * @return true if some record boundary of the ring does not hold the free word expected there.
     */
    public static boolean dirty(final ChannelSegment segment, final long position)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int shift = Integer.numberOfTrailingZeros(CAPACITY);
        for (int i = 0; i < CAPACITY; i += RecordDescriptor.ALIGNMENT)
        {
            final int index = (int)position & (CAPACITY - 1);
            final long next = position - index + i + (i < index ? CAPACITY : 0);
            if (buffer.getLongVolatile(RING_OFFSET + i) != FreeWord.of(next, shift))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Records what a subscriber is handed: per message value, how many intact copies and whether any was torn,
     * and the order of values.
     */
    public static final class Seen implements MessageHandler
    {
        private final long[] values;
        private final int[] intact;
        private final int[] torn;
        private final long[] order = new long[16];
        private int count;

        /**
         * A handler that tells the given values apart.
         *
         * @param values the values sent, indexed as {@link #state(int)} takes them.
         */
        public Seen(final long... values)
        {
            this.values = values;
            this.intact = new int[values.length];
            this.torn = new int[values.length];
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long first = length >= 8 ? buffer.getLong(offset) : 0;
            if (count < order.length)
            {
                order[count] = first;
            }
            count++;
            for (int v = 0; v < values.length; v++)
            {
                if (first == values[v])
                {
                    boolean whole = (length & 7) == 0;
                    for (int i = 8; i < length && whole; i += 8)
                    {
                        whole = buffer.getLong(offset + i) == first;
                    }
                    if (whole)
                    {
                        intact[v]++;
                    }
                    else
                    {
                        torn[v]++;
                    }
                    return;
                }
            }
            torn[0]++; // a value nobody sent: garbage
        }

        /** Messages handed over, of any value. */
        int count()
        {
            return count;
        }

        /**
         * What became of one sent value.
         *
         * @param valueIndex the value's index among those given to the constructor.
         * @return NOT_SEEN, INTACT (exactly one intact copy) or TORN (anything else).
         */
        public int state(final int valueIndex)
        {
            if (torn[valueIndex] == 0 && intact[valueIndex] == 0)
            {
                return NOT_SEEN;
            }
            return torn[valueIndex] == 0 && intact[valueIndex] == 1 ? INTACT : TORN;
        }

        /** Intact copies of one value. */
        int intact(final int valueIndex)
        {
            return intact[valueIndex];
        }

        /** Copies that were torn or carried no value sent. */
        int torn()
        {
            int sum = 0;
            for (final int t : torn)
            {
                sum += t;
            }
            return sum;
        }

        /** The value of the {@code i}th message handed over. */
        long order(final int i)
        {
            return order[i];
        }
    }
}
