package io.shmlink.shm.wait;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a subscriber's doorbell lives: a Unix-domain socket in the registry directory named
 * {@code .bell.<owner token in hex>.<number>} (bound first in a private directory of that name plus
 * {@value #STAGING_SUFFIX}; see {@link Doorbell}). The owner token (see ProcessToken) lets cleanup tell a dead
 * owner's socket file from a live one; the number tells apart the doorbells of one process. Both come from
 * shared memory, which is untrusted, so only their digits reach the path: it cannot leave the directory.
 */
public final class DoorbellAddress
{
    /** Every doorbell file's name starts with this. */
    public static final String PREFIX = ".bell.";

    /** Suffix of the private directory a doorbell's socket is bound in before it is moved to its name. */
    public static final String STAGING_SUFFIX = ".bind";

    /** The socket's name inside its staging directory. */
    static final String STAGED_SOCKET = "s";

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
     * The private directory a doorbell's socket is bound in, {@code .bell.<owner token in hex>.<number>.bind}: it
     * carries the owner token, so cleanup removes it when a subscriber died between bind and move.
     *
     * @param directory  the registry directory.
     * @param ownerToken the subscriber's process token.
     * @param number     the doorbell's number in that process, positive.
     * @return the path.
     */
    public static Path stagingDirectory(final Path directory, final long ownerToken, final int number)
    {
        return directory.resolve(path(directory, ownerToken, number).getFileName() + STAGING_SUFFIX);
    }

    /**
     * Whether a file name is a doorbell's staging directory's.
     *
     * @param fileName a file name in the registry directory.
     * @return true for {@code .bell.<token>.<number>.bind}.
     */
    public static boolean isStaging(final String fileName)
    {
        return fileName.startsWith(PREFIX) && fileName.endsWith(STAGING_SUFFIX);
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
