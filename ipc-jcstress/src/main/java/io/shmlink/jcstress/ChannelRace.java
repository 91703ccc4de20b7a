package io.shmlink.jcstress;

import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;

/**
 * The fixture most races start from: a fresh channel of one mode, publisher A's writer, the subscriber's reader,
 * what the subscriber is handed in the race, and the arbiter's drain of what is left. The values given to the
 * constructor tell the messages apart, indexed as {@link Rings.Seen#state(int)} takes them.
 */
abstract class ChannelRace
{
    /** More messages than any race sends: one poll hands over all there are. */
    private static final int ALL = 10;

    /** Whether the channel is MPSC (else SPSC). */
    final boolean mpsc;
    /** The in-memory channel. */
    final ChannelSegment segment;
    /** Publisher A's writer, of the channel's mode. */
    final RingWriter writer;
    /** The subscriber's reader. */
    final RingReader reader;
    /** What the subscriber was handed. */
    final Rings.Seen seen;
    private final long[] values;

    /**
     * A channel, its writer and its reader.
     *
     * @param mpsc          MPSC if true, else SPSC.
     * @param startPosition the ring's first position, as {@link Rings#segment(boolean, long)} takes it.
     * @param values        the values of the messages sent, as {@link Rings.Seen} takes them.
     */
    ChannelRace(final boolean mpsc, final long startPosition, final long... values)
    {
        this.mpsc = mpsc;
        segment = Rings.segment(mpsc, startPosition);
        writer = Rings.writer(segment, mpsc, Rings.SESSION_A);
        reader = Rings.reader(segment, mpsc);
        this.values = values;
        seen = new Rings.Seen(values);
    }

    /** A poll of all there is, handed to {@link #seen}: the subscriber's in the race; returns how many. */
    final int pollSeen()
    {
        return reader.read(seen, ALL);
    }

    /** The arbiter's poll after the race: a fresh record of what is left. */
    final Rings.Seen drainRest()
    {
        final Rings.Seen later = new Rings.Seen(values);
        reader.read(later, ALL);
        return later;
    }
}
