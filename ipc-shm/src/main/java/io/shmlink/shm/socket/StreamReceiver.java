package io.shmlink.shm.socket;

import io.shmlink.api.MessageHandler;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmSubscriber;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static io.shmlink.shm.socket.ShmSocket.PEER_CHECK_NANOS;

/**
 * The reading half of a connection: turns the incoming channel's messages back into a byte stream. A read copies
 * as many whole or partial messages as fit and are already there; the unread rest of a message waits in a buffer
 * for the next read. A zero-length message is the peer's end of stream.
 * <p>
 * Used by one reading thread at a time, as with {@code java.net.Socket}.
 */
final class StreamReceiver implements MessageHandler
{

    private final ShmSocket socket;
    private final ShmSubscriber subscriber;
    private final UnsafeBuffer rest;
    private int restOffset;
    private int restLength;
    private boolean endOfStream;

    private byte[] targetArray;
    private ByteBuffer targetBuffer;
    private int targetOffset;
    private int targetRemaining;

    StreamReceiver(final ShmSocket socket, final ShmSubscriber subscriber, final int maxMessageLength)
    {
        this.socket = socket;
        this.subscriber = subscriber;
        this.rest = new UnsafeBuffer(new byte[Math.max(1, maxMessageLength)]);
    }

    int read(final byte[] array, final int offset, final int length, final int timeoutMillis) throws IOException
    {
        targetArray = array;
        targetBuffer = null;
        return read(offset, length, timeoutMillis);
    }

    int read(final ByteBuffer buffer, final int timeoutMillis) throws IOException
    {
        targetArray = null;
        targetBuffer = buffer;
        final int copied = read(buffer.position(), buffer.remaining(), timeoutMillis);
        if (copied > 0)
        {
            buffer.position(buffer.position() + copied);
        }
        return copied;
    }

    /**
     * Bytes that a read would return without blocking: what is left of the current message.
     */
    int available()
    {
        return restLength;
    }

    private int read(final int offset, final int length, final int timeoutMillis) throws IOException
    {
        try
        {
            return readOrThrow(offset, length, timeoutMillis);
        }
        catch (final ShmLinkException ex)
        {
            throw ShmSocket.failure("read failed: " + ex.getMessage(), ex);
        }
    }

    private int readOrThrow(final int offset, final int length, final int timeoutMillis) throws IOException
    {
        if (length == 0)
        {
            return 0;
        }
        targetOffset = offset;
        targetRemaining = length;
        copyRest();
        drainWithoutWaiting();
        if (targetRemaining == length && !endOfStream)
        {
            awaitData(timeoutMillis);
            drainWithoutWaiting();
        }
        final int copied = length - targetRemaining;
        return copied == 0 && endOfStream ? -1 : copied;
    }

    private void drainWithoutWaiting()
    {
        while (targetRemaining > 0 && restLength == 0 && !endOfStream && subscriber.poll(this, 1) == 1)
        {
            // each message fills the target or leaves its rest
        }
    }

    private void awaitData(final int timeoutMillis) throws IOException
    {
        final long deadline = timeoutMillis == 0 ? Long.MAX_VALUE :
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true)
        {
            socket.checkReadable();
            final long remaining = deadline == Long.MAX_VALUE ? PEER_CHECK_NANOS : deadline - System.nanoTime();
            if (remaining <= 0)
            {
                throw new SocketTimeoutException("Read timed out");
            }
            if (subscriber.poll(this, 1, Math.min(remaining, PEER_CHECK_NANOS), TimeUnit.NANOSECONDS) == 1)
            {
                return;
            }
            if (Thread.currentThread().isInterrupted())
            {
                throw new InterruptedIOException("read interrupted");
            }
            final ShmSocket.PeerState peer = socket.peerState();
            if (peer != ShmSocket.PeerState.ALIVE)
            {
                // the peer's last messages were committed before it left: look once more before judging
                if (subscriber.poll(this, 1) == 1)
                {
                    return;
                }
                if (peer == ShmSocket.PeerState.DEAD)
                {
                    throw new SocketException("Connection reset: the peer process died");
                }
                endOfStream = true; // closed without shutdownOutput: an orderly close all the same
                return;
            }
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == 0)
        {
            endOfStream = true;
            return;
        }
        final int now = Math.min(length, targetRemaining);
        copyOut(buffer, offset, now);
        if (now < length)
        {
            rest.putBytes(0, buffer, offset + now, length - now);
            restOffset = 0;
            restLength = length - now;
        }
    }

    private void copyRest()
    {
        if (restLength > 0)
        {
            final int now = Math.min(restLength, targetRemaining);
            copyOut(rest, restOffset, now);
            restOffset += now;
            restLength -= now;
        }
    }

    private void copyOut(final DirectBuffer source, final int offset, final int length)
    {
        if (targetArray != null)
        {
            source.getBytes(offset, targetArray, targetOffset, length);
        }
        else
        {
            source.getBytes(offset, targetBuffer, targetOffset, length);
        }
        targetOffset += length;
        targetRemaining -= length;
    }
}
