package io.shmlink.api;

/**
 * Receives the messages of a channel, in order, each once. A channel has at most one live subscriber.
 */
public interface Subscriber extends AutoCloseable
{
    /**
     * Hands up to {@code messageLimit} committed messages to the handler without blocking. If the handler throws,
     * the messages handed over so far, the failed one included, count as consumed.
     *
     * @param handler      called once per message.
     * @param messageLimit the most messages to hand over.
     * @return the number of messages handed to the handler.
     * @throws CorruptChannelException if the channel holds a record that cannot be valid.
     */
    int poll(MessageHandler handler, int messageLimit);

    /**
     * Detaches from the channel; a later subscriber resumes after the last message this one consumed.
     */
    @Override
    void close();
}
