package io.shmlink.shm.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens the files of a registry directory that some other process made (channels, alive files) so that nothing
 * put under their names can hang this process or redirect it. Any member of a shared directory's group can put a
 * FIFO, a symbolic link or a socket there, and a plain {@code open(O_RDONLY)} of a FIFO blocks until a writer
 * comes, forever if none does (and a link leads wherever its maker likes). So:
 * <ul>
 *   <li>what is under the name is looked at first ({@code lstat}, not following a link), and anything but a
 *   regular file is refused with {@link NotRegularFileException}, naming the path and what it is, unopened;</li>
 *   <li>it is opened {@code O_RDWR | O_NOFOLLOW}: a link swapped in meanwhile fails with {@code ELOOP}, a socket
 *   with {@code ENXIO}, and a FIFO opened read-write does not block on Linux (the opener is its own writer).
 *   Devices other users cannot make ({@code mknod} of a device needs {@code CAP_MKNOD});</li>
 *   <li>{@link #readFully} reads no further than the open file's size ({@code fstat}), which is 0 for a FIFO, so
 *   even a FIFO swapped in between the look and the open is never read from.</li>
 * </ul>
 * Opening read-write needs write permission: a file this process may not write cannot be looked into. Every such
 * file of a registry is the registry's own mode (0600, or 0660 for its group), so a party of the registry may
 * write it; callers say what an unopenable file means to them (a liveness check: alive, the safe side).
 */
public final class RegularFiles
{
    private static final int TYPE_MASK = 0170000;
    private static final int REGULAR = 0100000;

    private RegularFiles()
    {
    }

    /** A name where a regular file was expected leads to something else: a FIFO, a link, a socket, ... */
    public static final class NotRegularFileException extends FileSystemException
    {
        private static final long serialVersionUID = 1L;

        private final String type;

        NotRegularFileException(final Path file, final String type)
        {
            super(file.toString(), null, "it is " + type + ", not a regular file (someone with write access to " +
                "its directory put it there); left unopened");
            this.type = type;
        }

        /**
         * @return what the file is: "a FIFO", "a symbolic link", ...
         */
        public String type()
        {
            return type;
        }
    }

    /**
     * Opens an existing regular file, read-write, neither following a link nor blocking; read-only where this
     * process may not write it.
     *
     * @param file the file.
     * @return the open file, to close.
     * @throws NotRegularFileException if the name leads to anything but a regular file.
     * @throws java.nio.file.NoSuchFileException if there is nothing under the name.
     * @throws IOException if it cannot be opened (such as {@link java.nio.file.AccessDeniedException} when this
     *                     process may not write it).
     */
    public static FileChannel open(final Path file) throws IOException
    {
        final int mode = ((Number)Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        if ((mode & TYPE_MASK) != REGULAR)
        {
            throw new NotRegularFileException(file, typeOf(mode));
        }
        try
        {
            return FileChannel.open(
                file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final AccessDeniedException | ReadOnlyFileSystemException readOnly)
        {
            // A reader without write access (a read-only mount, a monitoring user): opened for reading, which
            // would block only on a FIFO swapped in since the look above; see docs/DESIGN.md.
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final FileSystemException ex)
        {
            if (ex.getReason() != null && ex.getReason().contains("Read-only file system"))
            {
                return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            }
            throw ex;
        }
    }

    /**
     * Reads from the start of an open file into a buffer until the buffer is full or the file's size is reached,
     * never beyond that size: a read there could block (a FIFO reports size 0, and is not read at all).
     *
     * @param channel a file from {@link #open}.
     * @param bytes   the buffer, filled from its position.
     * @return the file's size when read.
     * @throws IOException if it cannot be read.
     */
    public static long readFully(final FileChannel channel, final ByteBuffer bytes) throws IOException
    {
        final long size = channel.size();
        final int limit = bytes.limit();
        bytes.limit((int)Math.min(limit, Math.max(bytes.position(), size)));
        try
        {
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0)
            {
                // until the buffer or the file ends
            }
        }
        finally
        {
            bytes.limit(limit);
        }
        return size;
    }

    /**
     * What a file is, by the type bits of its mode.
     *
     * @param mode its {@code st_mode}.
     * @return "a regular file", "a FIFO", "a symbolic link", ...
     */
    public static String typeOf(final int mode)
    {
        return switch (mode & TYPE_MASK)
        {
            case REGULAR -> "a regular file";
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0040000 -> "a directory";
            case 0060000 -> "a block device";
            case 0120000 -> "a symbolic link";
            case 0140000 -> "a socket";
            default -> String.format("a file of type %06o", mode & TYPE_MASK);
        };
    }
}
