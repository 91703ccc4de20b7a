package io.shmlink.shm.socket;

import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmPublisher;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.LockSupport;

import static io.shmlink.shm.socket.ShmSocket.PEER_CHECK_NANOS;

/**
 * The writing half of a connection: cuts the byte stream into messages of at most {@link #MAX_CHUNK} bytes (and
 * the channel's maximum) and offers them. A full ring blocks the writer, as a full socket buffer does: it spins,
 * yields, then parks in growing steps up to 1 ms, and checks the peer's liveness every 100 ms.
 * <p>
 * Writes are serialised by a lock: one thread writes at a time, as with {@code java.net.Socket}.
 */
final class StreamSender
{
    /** Large enough that a message's header is noise, small enough that the reader starts before the writer ends. */
    static final int MAX_CHUNK = 64 * 1024;

    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SPINS = 1_000;
    private static final int YIELDS = 100;

    private final ShmSocket socket;
    private final ShmPublisher publisher;
    private final int maxChunk;
    private final UnsafeBuffer wrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);

    /**
     * An SPSC ring has one writer at a time: this keeps a {@code close()} or {@code shutdownOutput()} from another
     * thread off the ring while a write is under way.
     */
    private final ReentrantLock lock = new ReentrantLock();

    StreamSender(final ShmSocket socket, final ShmPublisher publisher)
    {
        this.socket = socket;
        this.publisher = publisher;
        this.maxChunk = Math.min(MAX_CHUNK, publisher.maxMessageLength());
    }

    void write(final byte[] array, final int offset, final int length) throws IOException
    {
        if (length == 0)
        {
            return; // a zero-length message would mean end of stream
        }
        lock.lock();
        try
        {
            wrapper.wrap(array);
            int sent = 0;
            while (sent < length)
            {
                final int chunk = Math.min(maxChunk, length - sent);
                offer(wrapper, offset + sent, chunk);
                sent += chunk;
            }
        }
        catch (final ShmLinkException ex)
        {
            throw ShmSocket.failure("write failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    int write(final ByteBuffer buffer) throws IOException
    {
        final int length = buffer.remaining();
        final int limit = buffer.limit();
        lock.lock();
        try
        {
            while (buffer.hasRemaining())
            {
                final int chunk = Math.min(maxChunk, buffer.remaining());
                buffer.limit(buffer.position() + chunk);
                offer(buffer);
                buffer.position(buffer.limit());
                buffer.limit(limit);
            }
        }
        catch (final ShmLinkException ex)
        {
            throw ShmSocket.failure("write failed: " + ex.getMessage(), ex);
        }
        finally
        {
            buffer.limit(limit);
            lock.unlock();
        }
        return length;
    }

    void sendEndOfStream() throws IOException
    {
        lock.lock();
        try
        {
            offer(empty, 0, 0);
        }
        catch (final ShmLinkException ex)
        {
            throw ShmSocket.failure("shutdownOutput failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Sends the end of stream if the ring has room now; never blocks (for close). Without it the peer still sees
     * the end once it notices this side detached, within its next liveness check.
     */
    void tryEndOfStream()
    {
        if (lock.tryLock()) // a write under way in another thread owns the ring: it fails once closed
        {
            try
            {
                publisher.offer(empty, 0, 0);
            }
            catch (final ShmLinkException ignored)
            {
                // closing anyway: the peer sees this side detach instead
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    private void offer(final UnsafeBuffer source, final int offset, final int length) throws IOException
    {
        if (publisher.offer(source, offset, length) < 0)
        {
            retry(source, offset, length, null);
        }
    }

    private void offer(final ByteBuffer source) throws IOException
    {
        if (publisher.offer(source) < 0)
        {
            retry(null, 0, 0, source);
        }
    }

    private long retry(final UnsafeBuffer source, final int offset, final int length, final ByteBuffer byteBuffer)
        throws IOException
    {
        long nextPeerCheck = System.nanoTime() + PEER_CHECK_NANOS;
        long parkNanos = 1_000;
        for (int attempt = 0; ; attempt++)
        {
            socket.checkWritable();
            final long result =
                byteBuffer == null ? publisher.offer(source, offset, length) : publisher.offer(byteBuffer);
            if (result > 0)
            {
                return result;
            }
            if (result == Publisher.NOT_CONNECTED || result == Publisher.CLOSED)
            {
                throw new SocketException(result == Publisher.CLOSED ? "Socket closed" :
                    "Connection reset: the peer closed or died (" + publisher.channel() + ")");
            }
            if (attempt < SPINS)
            {
                Thread.onSpinWait();
            }
            else if (attempt < SPINS + YIELDS)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(parkNanos);
                parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
            }
            if (System.nanoTime() - nextPeerCheck >= 0)
            {
                nextPeerCheck = System.nanoTime() + PEER_CHECK_NANOS;
                final ShmSocket.PeerState peer = socket.peerState();
                if (peer != ShmSocket.PeerState.ALIVE)
                {
                    throw new SocketException(peer == ShmSocket.PeerState.DEAD ?
                        "Connection reset: the peer process died" : "Broken pipe: the peer closed the connection");
                }
            }
        }
    }
}
