package io.shmlink.api;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A claimed, not yet visible, region of a ring, filled by {@link Publisher#tryClaim(int, BufferClaim)}. Write the
 * message into {@link #buffer()} between {@link #offset()} and {@code offset() + length()}, then {@link #commit()}
 * to make it visible or {@link #abort()} to drop it. One instance serves many claims and allocates nothing after
 * construction.
 */
public final class BufferClaim
{
    /**
     * What a ring does to publish or drop a claimed record. Implemented by channel implementations, not by users.
     */
    public interface Completer
    {
        /**
         * Makes the claimed record visible.
         *
         * @param recordOffset where the record's header starts in the ring.
         * @param length       the message length that was claimed.
         */
        void commit(int recordOffset, int length);

        /**
         * Turns the claimed record into padding that the subscriber skips.
         *
         * @param recordOffset where the record's header starts in the ring.
         * @param length       the message length that was claimed.
         */
        void abort(int recordOffset, int length);
    }

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private Completer completer;
    private int recordOffset;
    private int length;

    /**
     * An empty claim, ready for {@link Publisher#tryClaim(int, BufferClaim)}.
     */
    public BufferClaim()
    {
    }

    /**
     * Called by the ring that granted a claim. Not for users.
     *
     * @param completer    the ring that commits or aborts.
     * @param address      the memory address of the message's first byte.
     * @param recordOffset where the record's header starts in the ring.
     * @param length       the claimed message length.
     */
    public void wrap(final Completer completer, final long address, final int recordOffset, final int length)
    {
        view.wrap(address, length);
        this.completer = completer;
        this.recordOffset = recordOffset;
        this.length = length;
    }

    /**
     * The buffer to write the message into; bounds-checked to the claimed region.
     *
     * @return a view of exactly the claimed region.
     */
    public MutableDirectBuffer buffer()
    {
        return view;
    }

    /**
     * Where the message starts in {@link #buffer()}.
     *
     * @return always 0: the buffer is a view of the claimed region.
     */
    public int offset()
    {
        return 0;
    }

    /**
     * The claimed message length.
     *
     * @return bytes available in {@link #buffer()}.
     */
    public int length()
    {
        return length;
    }

    /**
     * Publishes the message with one release store. The claim is then empty.
     *
     * @throws IllegalStateException if nothing is claimed (a programming error).
     */
    public void commit()
    {
        complete().commit(recordOffset, length);
    }

    /**
     * Drops the message: the subscriber skips the region. The claim is then empty.
     *
     * @throws IllegalStateException if nothing is claimed (a programming error).
     */
    public void abort()
    {
        complete().abort(recordOffset, length);
    }

    private Completer complete()
    {
        final Completer c = completer;
        if (null == c)
        {
            throw new IllegalStateException("no claim to complete: call tryClaim first, and commit or abort once");
        }
        completer = null;
        view.wrap(0, 0);
        return c;
    }
}
