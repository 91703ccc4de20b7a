package io.shmlink.api;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;

/**
 * Sends messages into a channel. Every send returns either a position (greater than zero) or one of the negative
 * codes below; none of them blocks.
 */
public interface Publisher extends AutoCloseable
{
    /** The ring is full: retry later. */
    long BACK_PRESSURED = -1;

    /** The subscriber that was attached is gone (its process died or it closed); temporary until another attaches. */
    long NOT_CONNECTED = -2;

    /** This publisher or its channel is closed. */
    long CLOSED = -3;

    /**
     * Copies a message into the channel and makes it visible to the subscriber.
     *
     * @param buffer holding the message.
     * @param offset of the message in the buffer.
     * @param length of the message, at most {@link #maxMessageLength()}.
     * @return the position after the message if greater than zero, else {@link #BACK_PRESSURED},
     * {@link #NOT_CONNECTED} or {@link #CLOSED}.
     * @throws IllegalArgumentException if the length is negative or too long, or offset and length leave the buffer.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /**
     * Copies the bytes between {@code position()} and {@code limit()} into the channel; the buffer's position is
     * unchanged.
     *
     * @param buffer holding the message.
     * @return as {@link #offer(DirectBuffer, int, int)}.
     */
    long offer(ByteBuffer buffer);

    /**
     * Claims space for a message that the caller writes in place, then {@link BufferClaim#commit() commits} or
     * {@link BufferClaim#abort() aborts}. Until then the subscriber waits at this record, so commit promptly.
     *
     * @param length of the message, at most {@link #maxMessageLength()}.
     * @param claim  reused holder for the claimed region.
     * @return as {@link #offer(DirectBuffer, int, int)}.
     */
    long tryClaim(int length, BufferClaim claim);

    /**
     * The longest message this channel carries.
     *
     * @return its length in bytes.
     */
    int maxMessageLength();

    /**
     * Detaches from the channel. Later sends return {@link #CLOSED}.
     */
    @Override
    void close();
}
