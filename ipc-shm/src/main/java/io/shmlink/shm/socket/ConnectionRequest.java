package io.shmlink.shm.socket;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The message a client posts into a server socket's channel to ask for a connection.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+ 0
 *  |                        Magic "SKRQ"                           |
 *  +---------------------------------------------------------------+ 4
 *  |                       Layout Version                          |
 *  +---------------------------------------------------------------+ 8
 *  |                 Client Process Token (64)                     |
 *  +---------------------------------------------------------------+ 16
 *  |                    Connection Name Length                     |
 *  +---------------------------------------------------------------+ 20
 *  |        Connection Name (ASCII; channels NAME.up, NAME.dn)    ...
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code NAME.up} carries client-to-server bytes, {@code NAME.dn} server-to-client. Any process that can write
 * the channel can post anything, so the server checks every field before it uses one: a request that does not
 * decode is dropped.
 */
public final class ConnectionRequest
{
    /** "SKRQ" in ASCII, read as a little-endian int: the first bytes of every request. */
    public static final int MAGIC = 0x51524B53;

    /** The request layout this build writes and the only one it decodes. */
    public static final int LAYOUT_VERSION = 1;

    /** The magic, {@link #MAGIC} (32 bits). */
    public static final int MAGIC_OFFSET = 0;

    /** The layout version, {@link #LAYOUT_VERSION} (32 bits). */
    public static final int VERSION_OFFSET = 4;

    /** The client's process token (64 bits). */
    public static final int CLIENT_TOKEN_OFFSET = 8;

    /** The connection name's length in bytes (32 bits). */
    public static final int NAME_LENGTH_OFFSET = 16;

    /** The connection name, in ASCII. */
    public static final int NAME_OFFSET = 20;

    /** Leaves room for the ".up" and ".dn" suffixes within the 64 characters a channel name may have. */
    public static final int MAX_NAME_LENGTH = 60;

    /** Bytes of the longest request: one with a name of {@link #MAX_NAME_LENGTH} characters. */
    public static final int MAX_LENGTH = NAME_OFFSET + MAX_NAME_LENGTH;

    /** Suffix of the connection's channel that carries client-to-server bytes. */
    public static final String UP = ".up";

    /** Suffix of the connection's channel that carries server-to-client bytes. */
    public static final String DOWN = ".dn";

    private final long clientToken;
    private final String name;

    /**
     * @param clientToken the client's process token.
     * @param name        the connection name, 1 to {@link #MAX_NAME_LENGTH} ASCII characters.
     */
    public ConnectionRequest(final long clientToken, final String name)
    {
        this.clientToken = clientToken;
        this.name = name;
    }

    /**
     * @return the client's process token.
     */
    public long clientToken()
    {
        return clientToken;
    }

    /**
     * @return the connection name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Writes the request.
     *
     * @param buffer at least {@link #MAX_LENGTH} bytes.
     * @return the encoded length.
     */
    public int encode(final MutableDirectBuffer buffer)
    {
        final byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        buffer.putLong(CLIENT_TOKEN_OFFSET, clientToken);
        buffer.putInt(NAME_LENGTH_OFFSET, ascii.length);
        buffer.putBytes(NAME_OFFSET, ascii);
        return NAME_OFFSET + ascii.length;
    }

    /**
     * Reads a request, checking every field.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return the request, or null if the message is not a valid one.
     */
    public static ConnectionRequest decodeOrNull(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < NAME_OFFSET || length > MAX_LENGTH ||
            buffer.getInt(offset + MAGIC_OFFSET) != MAGIC ||
            buffer.getInt(offset + VERSION_OFFSET) != LAYOUT_VERSION)
        {
            return null;
        }
        final int nameLength = buffer.getInt(offset + NAME_LENGTH_OFFSET);
        if (nameLength < 1 || nameLength > MAX_NAME_LENGTH || nameLength != length - NAME_OFFSET)
        {
            return null;
        }
        final String name = buffer.getStringWithoutLengthAscii(offset + NAME_OFFSET, nameLength);
        return isValidName(name) ? new ConnectionRequest(buffer.getLong(offset + CLIENT_TOKEN_OFFSET), name) : null;
    }

    private static boolean isValidName(final String name)
    {
        if (name.charAt(0) == '.')
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
