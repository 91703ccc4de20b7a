package io.shmlink.shm.wait;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A publisher's end of subscriber doorbells: rings the doorbell a sleeping subscriber announced in the segment.
 * Keeps its connection to the last doorbell rung, so the next ring is one non-blocking {@code write} of one byte.
 * <p>
 * Ringing is best-effort by design: if the doorbell is gone (its subscriber died or closed), full, or cannot be
 * reached, the ring is dropped; a subscriber never sleeps longer than {@link ReaderWait#maxSleepNanos()}, so a
 * dropped ring costs latency, never a message. Thread-safe (an MPSC publisher rings from many threads); only the
 * slow path, a sleeping subscriber, gets here.
 */
public final class DoorbellRinger implements AutoCloseable
{
    private final Path directory;
    private final ByteBuffer ring = ByteBuffer.allocateDirect(1);
    private SocketChannel connection;
    private long connectedToken;
    private int connectedNumber;
    private boolean closed;

    /**
     * A ringer for the doorbells under one registry directory; it connects to a doorbell only to ring it.
     *
     * @param directory the registry directory the doorbells live in.
     */
    public DoorbellRinger(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Rings a doorbell.
     *
     * @param ownerToken the subscriber's token, as read from the segment.
     * @param number     the doorbell number, as read from the segment; nothing happens unless positive.
     */
    public synchronized void ring(final long ownerToken, final int number)
    {
        if (number <= 0 || closed)
        {
            return; // closed: a claim completed after its publisher closed must not open a socket nobody closes
        }
        if (connection != null && (connectedToken != ownerToken || connectedNumber != number))
        {
            disconnect();
        }
        if (connection == null || !write())
        {
            disconnect();
            if (connect(ownerToken, number))
            {
                write();
            }
        }
    }

    private boolean write()
    {
        try
        {
            ring.clear();
            connection.write(ring); // 0 bytes written: the socket holds unread rings already, which wake it too
            return true;
        }
        catch (final IOException gone)
        {
            return false;
        }
    }

    private boolean connect(final long ownerToken, final int number)
    {
        final UnixDomainSocketAddress address =
            DoorbellAddress.addressOrNull(DoorbellAddress.path(directory, ownerToken, number));
        if (address == null)
        {
            return false;
        }
        try
        {
            final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try
            {
                channel.configureBlocking(false);
                if (!channel.connect(address))
                {
                    channel.close(); // backlog full: the subscriber has connections to accept, so it is waking anyway
                    return false;
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
            connection = channel;
            connectedToken = ownerToken;
            connectedNumber = number;
            return true;
        }
        catch (final IOException | RuntimeException unreachable)
        {
            return false;
        }
    }

    private void disconnect()
    {
        if (connection != null)
        {
            try
            {
                connection.close();
            }
            catch (final IOException ignored)
            {
                // the doorbell is gone already
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        disconnect();
    }
}
