package io.shmlink.shm.wait;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

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
     * Removes a doorbell's staging directory and the socket in it, without following a link anywhere: the
     * directory is opened relative to a handle on the registry directory, refusing a link ({@code O_NOFOLLOW}), and
     * its entries are removed relative to that handle. (Listing it by path and deleting by path would follow a
     * link that another member of a shared directory swapped in between, and delete files wherever it led.) A
     * link or other file under the staging name is removed itself, never followed.
     * <p>
     * A staging directory is its owner's only (0700), so only its owner or root can list it: another member's
     * cleanup cannot empty it and leaves it (see DESIGN.md). It lives only between a {@code bind} and the rename
     * that follows, so only a process killed in that instant leaves one.
     *
     * @param staging the staging directory, in the registry directory.
     * @return true if this call removed it.
     * @throws IOException if it exists and cannot be removed (such as another user's, whose contents this process
     *                     may not list).
     */
    public static boolean deleteStaging(final Path staging) throws IOException
    {
        final Path parent = staging.toAbsolutePath().getParent();
        final Path name = staging.getFileName();
        try (DirectoryStream<Path> opened = Files.newDirectoryStream(parent))
        {
            if (!(opened instanceof SecureDirectoryStream<Path> registry))
            {
                return Files.deleteIfExists(staging); // an empty one only: rmdir and unlink follow no link
            }
            final BasicFileAttributes attributes;
            try
            {
                attributes = registry.getFileAttributeView(name, BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            }
            catch (final NoSuchFileException gone)
            {
                return false;
            }
            if (!attributes.isDirectory())
            {
                registry.deleteFile(name);
                return true;
            }
            try (SecureDirectoryStream<Path> inside = registry.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS))
            {
                final List<Path> entries = new ArrayList<>();
                inside.forEach(entry -> entries.add(entry.getFileName()));
                for (final Path entry : entries)
                {
                    inside.deleteFile(entry);
                }
            }
            registry.deleteDirectory(name);
            return true;
        }
        catch (final NoSuchFileException gone)
        {
            return false;
        }
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
