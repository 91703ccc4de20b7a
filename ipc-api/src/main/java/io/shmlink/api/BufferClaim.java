package io.shmlink.api;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A claimed, not yet visible, region of a ring, filled by {@link Publisher#tryClaim(int, BufferClaim)}. Write the
 * message into {@link #buffer()} between {@link #offset()} and {@code offset() + length()}, then {@link #commit()}
 * to make it visible or {@link #abort()} to drop it; a message found shorter than the claim while it was written
 * is published with {@link #commit(int)}. One instance serves many claims and allocates nothing after construction.
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
         * Makes the first {@code length} bytes of a claimed record visible as its message; the rest of the claim
         * becomes padding that the subscriber skips. Channels that cannot do this keep the default, which commits a
         * claim used whole and otherwise aborts it (nothing stays claimed) and says so.
         *
         * @param recordOffset  where the record's header starts in the ring.
         * @param claimedLength the message length that was claimed.
         * @param length        the message length to publish, 0 to {@code claimedLength}.
         * @throws UnsupportedOperationException if {@code length < claimedLength} and the channel cannot shorten a
         *                                       claim (the claim is aborted).
         */
        default void commit(final int recordOffset, final int claimedLength, final int length)
        {
            if (length == claimedLength)
            {
                commit(recordOffset, length);
                return;
            }
            abort(recordOffset, claimedLength);
            throw new UnsupportedOperationException("this channel cannot commit " + length + " of the " +
                claimedLength + " bytes claimed: the claim was aborted");
        }

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
     * Publishes the first {@code length} bytes of the claim as the message, for a message whose length was not
     * known when it was claimed: claim the most it can take, write, then commit what was written. The rest of the
     * claim is padding the subscriber skips, so the ring space taken is the claimed length's, and the position
     * {@code tryClaim} returned is still the one after the record. One plain store and one release store. The claim
     * is then empty.
     *
     * @param length of the message, 0 to {@link #length()}.
     * @throws IllegalArgumentException if {@code length} is negative or above {@link #length()}; the claim is kept,
     *                                  to be committed or aborted.
     * @throws IllegalStateException    if nothing is claimed (a programming error).
     */
    public void commit(final int length)
    {
        if (null == completer)
        {
            throw new IllegalStateException("no claim to complete: call tryClaim first, and commit or abort once");
        }
        if (length < 0 || length > this.length)
        {
            throw new IllegalArgumentException("commit of " + length + " bytes: the claim holds 0 to " +
                this.length + " (the claim is kept: commit or abort it)");
        }
        final int claimedLength = this.length;
        complete().commit(recordOffset, claimedLength, length);
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
