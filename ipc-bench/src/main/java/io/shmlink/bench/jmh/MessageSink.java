package io.shmlink.bench.jmh;

import io.shmlink.api.MessageHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The handler of every benchmark, for both ShmLink and Agrona: reads the message's first long and adds it to a
 * field, so the JIT cannot drop the read, and counts messages. One preallocated instance per state, so polling
 * allocates no capturing lambda.
 */
public final class MessageSink implements MessageHandler, org.agrona.concurrent.MessageHandler
{
    /** Sum of the first long of every message: a side effect the JIT must keep. */
    public long checksum;

    /** Messages received. */
    public long messages;

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        checksum += buffer.getLong(offset) + length;
        messages++;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        checksum += buffer.getLong(index) + length;
        messages++;
    }
}
