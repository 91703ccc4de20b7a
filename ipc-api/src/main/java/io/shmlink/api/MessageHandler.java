package io.shmlink.api;

import org.agrona.DirectBuffer;

/**
 * Receives messages from {@link Subscriber#poll(MessageHandler, int)}. The buffer is the channel's shared memory:
 * read the message before returning, and keep no reference to it.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * One message.
     *
     * @param buffer holding the message.
     * @param offset of the message in the buffer.
     * @param length of the message.
     */
    void onMessage(DirectBuffer buffer, int offset, int length);
}
