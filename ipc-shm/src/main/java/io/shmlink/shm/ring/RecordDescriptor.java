package io.shmlink.shm.ring;

/**
 * The layout of one record in a ring. Records start on 8-byte boundaries and never straddle the end of the ring:
 * a record that would is preceded by a padding record that fills the ring to its end.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |R|                       Frame Length                          |
 *  +-+-------------------------------------------------------------+
 *  |                    Type: publisher session or PADDING         |
 *  +---------------------------------------------------------------+
 *  |                       Message                                ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * Frame length is header plus message, before alignment. Its value is the record's state:
 * <ul>
 *   <li>0: nothing written yet (the subscriber zeroes every byte it consumes);</li>
 *   <li>negative: claimed by the publisher named in Type, being written; its magnitude is the frame length;</li>
 *   <li>positive: committed. It is stored last, with release semantics, and read by the subscriber with an
 *   acquire load, so every byte of the message is visible before the length is.</li>
 * </ul>
 * Type is the publisher's session, so that a record left claimed by a dead publisher can be attributed even after
 * its slot was retaken (see {@link io.shmlink.shm.liveness.PartySlots#session}); or {@link #PADDING_TYPE} for
 * space the subscriber skips.
 */
public final class RecordDescriptor
{
    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;
    public static final int ALIGNMENT = 8;

    /** Type of a record that carries no message. */
    public static final int PADDING_TYPE = -1;

    private RecordDescriptor()
    {
    }
}
