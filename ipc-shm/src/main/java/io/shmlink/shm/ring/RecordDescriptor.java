package io.shmlink.shm.ring;

/**
 * The layout of one record in a ring. Records start on 64-byte boundaries, so a small message is one cache line and
 * every header the first word of its line ({@code docs/DESIGN.md}, "Records"), and never straddle the end of the
 * ring: a record that would is preceded by a padding record that fills the ring to its end.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  \
 *  |R|                       Frame Length                          |   | the header word: one 64-bit value,
 *  +-+-------------------------------------------------------------+   | every change of state is one store
 *  |        Type: publisher session, PADDING, or a skipped session |   | or one CAS of the whole word
 *  +---------------------------------------------------------------+  /
 *  |                       Message                                ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The header word (frame length in its low half, type in its high half, little-endian) is the record's state; the
 * states and who moves between them are drawn in {@code docs/DESIGN.md}:
 * <ul>
 *   <li>frame length 0: nothing written yet (MPSC: a free word naming the lap the position is next used in,
 *   see {@link io.shmlink.shm.segment.FreeWord}; SPSC: zero);</li>
 *   <li>claimed {@code (-frameLength, session)}: being written by the publisher the session names (an SPSC
 *   copying send has written it already, and commits next);</li>
 *   <li>committed {@code (+frameLength, session)}: stored last, with release semantics, and read by the subscriber
 *   with an acquire load, so every byte of the message is visible before the header is;</li>
 *   <li>padding {@code (+alignedLength, PADDING_TYPE)}: space the subscriber skips (the end of the ring, an aborted
 *   claim, an MPMC gap the subscriber took);</li>
 *   <li>skipped {@code (+alignedLength, ~session)}: a claim the subscriber gave up on while its claimer may still
 *   be writing. Delivered as nothing, and <i>held</i>: the subscriber releases no space from here on until the
 *   claimer's own late commit or abort overwrites the word, or its process is dead. So a claimer that wakes from
 *   any pause writes only into its own record, never into a later lap's.</li>
 * </ul>
 * Frame length is header plus message, before alignment. Sessions are positive, so a type below
 * {@link #PADDING_TYPE} is a skipped claim and names its claimer as {@code ~type}.
 */
public final class RecordDescriptor
{
    /** The frame length field: negative while claimed, 0 (or a free word) before. */
    public static final int LENGTH_OFFSET = 0;

    /**
     * The type field: the publisher's session (positive) for a claimed or committed record, {@link #PADDING_TYPE},
     * or a skipped claim's {@code ~session}. Named for what it holds in every record that carries a message.
     */
    public static final int SESSION_OFFSET = 4;

    /** Bytes of a record's header: the frame length and the type field, one 64-bit word. */
    public static final int HEADER_LENGTH = 8;

    /**
     * Records start at multiples of this many bytes: one cache line, so that a record of up to 56 bytes of message
     * never spans two and a reader fetches one line per small message.
     */
    public static final int ALIGNMENT = 64;

    /** Type of a record that carries no message. */
    public static final int PADDING_TYPE = -1;

    private RecordDescriptor()
    {
    }

    /**
     * The bytes a message takes in the ring: header and message, aligned.
     *
     * @param messageLength of the message, not negative.
     * @return a multiple of {@link #ALIGNMENT}.
     */
    public static int recordLength(final int messageLength)
    {
        return (messageLength + HEADER_LENGTH + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * The header word of a record.
     *
     * @param frameLength the frame length field: negative while claimed.
     * @param type        a session, {@link #PADDING_TYPE} or {@link #skippedType(int)}.
     * @return the 64-bit header as stored at the record's offset.
     */
    public static long header(final int frameLength, final int type)
    {
        return ((long)type << 32) | (frameLength & 0xFFFF_FFFFL);
    }

    /**
     * The frame length field of a header word.
     *
     * @param header the header word.
     * @return its low half.
     */
    public static int frameLength(final long header)
    {
        return (int)header;
    }

    /**
     * The type field of a header word.
     *
     * @param header the header word.
     * @return its high half.
     */
    public static int type(final long header)
    {
        return (int)(header >> 32);
    }

    /**
     * The type of a claim the subscriber skipped while its claimer may still write it.
     *
     * @param session the claimer's session (positive).
     * @return {@code ~session}, below {@link #PADDING_TYPE}.
     */
    public static int skippedType(final int session)
    {
        return ~session;
    }

    /**
     * Whether a type marks a skipped claim that holds the subscriber's release.
     *
     * @param type a header's type field.
     * @return true below {@link #PADDING_TYPE}.
     */
    public static boolean isSkipped(final int type)
    {
        return type < PADDING_TYPE;
    }
}
