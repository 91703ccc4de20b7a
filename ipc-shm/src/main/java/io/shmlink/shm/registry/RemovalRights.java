package io.shmlink.shm.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Whose files this process may remove from a directory: any, unless the directory has the sticky bit (as
 * {@code /dev/shm} and {@code /tmp} have, or a shared registry directory made {@code 1770}), when unlink(2) lets
 * only a file's owner, the directory's owner and root remove it.
 *
 * @param onlyOwn        whether this process may remove only its own files there (sticky bit, and this process
 *                       neither root nor the directory's owner).
 * @param uid            this process's effective uid.
 * @param directoryOwner the directory owner's uid.
 */
public record RemovalRights(boolean onlyOwn, long uid, long directoryOwner)
{
    private static final int STICKY = 01000;

    /**
     * Reads a directory's mode and owner, and this process's effective uid.
     *
     * @param directory the registry directory.
     * @return what this process may remove there.
     * @throws IOException if the directory's attributes cannot be read.
     */
    public static RemovalRights of(final Path directory) throws IOException
    {
        final int mode = ((Number)Files.getAttribute(directory, "unix:mode")).intValue();
        final long directoryOwner = ((Number)Files.getAttribute(directory, "unix:uid")).longValue();
        final long uid = ProcessGroups.effectiveUid();
        return new RemovalRights((mode & STICKY) != 0 && uid != 0 && uid != directoryOwner, uid, directoryOwner);
    }

    /**
     * Whether this process may remove a file of the directory.
     *
     * @param file a file in it.
     * @return true unless the sticky bit keeps it for its owner (or its owner cannot be read).
     */
    public boolean mayRemove(final Path file)
    {
        return whyNotRemovable(file) == null;
    }

    /**
     * Why this process may not remove a file of the directory, if it may not.
     *
     * @param file a file in it.
     * @return null if it may, else the reason, naming the owners.
     */
    public String whyNotRemovable(final Path file)
    {
        if (!onlyOwn)
        {
            return null;
        }
        try
        {
            final long owner = ((Number)Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            if (owner == uid)
            {
                return null;
            }
            return "its directory has the sticky bit, so only the file's owner (uid " + owner + "), the " +
                "directory's owner (uid " + directoryOwner + ") or root may remove it, not uid " + uid;
        }
        catch (final IOException ex)
        {
            return "its owner cannot be read: " + ex;
        }
    }
}
