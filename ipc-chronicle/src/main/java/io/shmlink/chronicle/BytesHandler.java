package io.shmlink.chronicle;

import net.openhft.chronicle.bytes.Bytes;

/**
 * Receives each message that {@link BytesSubscriber#poll(BytesHandler, int)} reads, on the polling thread.
 */
@FunctionalInterface
public interface BytesHandler
{
    /**
     * Handles one message.
     *
     * @param message a reused view over the message where it lies in the ring, from {@code readPosition()} to
     *                {@code readLimit()}: read it here, or copy what must outlive the call, since the same view
     *                moves to the next message and the ring space is handed back to publishers after the poll.
     */
    void onMessage(Bytes<?> message);
}
