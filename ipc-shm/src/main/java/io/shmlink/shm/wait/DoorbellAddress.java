package io.shmlink.shm.wait;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a subscriber's doorbell lives: a Unix-domain socket in the registry directory named
 * {@code .bell.<owner token in hex>.<number>}. The owner token (see ProcessToken) lets cleanup tell a dead
 * owner's socket file from a live one; the number tells apart the doorbells of one process. Both come from
 * shared memory, which is untrusted, so only their digits reach the path: it cannot leave the directory.
 */
public final class DoorbellAddress
{
    /** Every doorbell file's name starts with this. */
    public static final String PREFIX = ".bell.";

    /** sun_path holds 108 bytes with the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private DoorbellAddress()
    {
    }

    /**
     * The socket file of a doorbell.
     *
     * @param directory  the registry directory.
     * @param ownerToken the subscriber's process token.
     * @param number     the doorbell's number in that process, positive.
     * @return the path.
     */
    public static Path path(final Path directory, final long ownerToken, final int number)
    {
        return directory.resolve(PREFIX + Long.toHexString(ownerToken) + "." + Integer.toUnsignedString(number));
    }

    /**
     * The socket address of a path, or null if the path is too long for a Unix-domain socket.
     *
     * @param path the socket file.
     * @return the address, or null.
     */
    public static UnixDomainSocketAddress addressOrNull(final Path path)
    {
        final int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        return bytes > MAX_SOCKET_PATH_BYTES ? null : UnixDomainSocketAddress.of(path);
    }

    /**
     * The owner token of a doorbell file name.
     *
     * @param fileName a file name in the registry directory.
     * @return the token, or 0 (never a live token) if the name is not a doorbell's.
     */
    public static long ownerToken(final String fileName)
    {
        if (!fileName.startsWith(PREFIX))
        {
            return 0;
        }
        final int end = fileName.indexOf('.', PREFIX.length());
        try
        {
            return end < 0 ? 0 : Long.parseUnsignedLong(fileName.substring(PREFIX.length(), end), 16);
        }
        catch (final NumberFormatException malformed)
        {
            return 0;
        }
    }
}
