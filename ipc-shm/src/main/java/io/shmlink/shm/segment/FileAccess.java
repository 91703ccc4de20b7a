package io.shmlink.shm.segment;

import io.shmlink.api.ShmLinkException;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who may open a registry's files: the owner only (directory 0700, files 0600, the default), or the owner and
 * one Unix group (0770 / 0660, with that group set on the directory and every file). Every file and directory the
 * library creates gets its mode from here, set explicitly after creation ({@link #applyTo}), so the umask can
 * neither widen nor narrow it; creation itself asks for the same mode, which the umask can only narrow, so no file
 * is ever wider than this, not even for an instant.
 */
public final class FileAccess
{
    /** Owner only. */
    public static final FileAccess OWNER_ONLY = new FileAccess(null);

    private final String groupName;
    private final Set<PosixFilePermission> directoryMode;
    private final Set<PosixFilePermission> fileMode;

    private FileAccess(final String groupName)
    {
        this.groupName = groupName;
        this.directoryMode = PosixFilePermissions.fromString(groupName == null ? "rwx------" : "rwxrwx---");
        this.fileMode = PosixFilePermissions.fromString(groupName == null ? "rw-------" : "rw-rw----");
    }

    /**
     * Owner and one group.
     *
     * @param groupName a Unix group the owner belongs to.
     * @return the access.
     */
    public static FileAccess sharedWithGroup(final String groupName)
    {
        return new FileAccess(groupName);
    }

    /**
     * @return the group files are shared with, or null for owner only.
     */
    public String groupName()
    {
        return groupName;
    }

    /**
     * @return the directory mode: 0700 or 0770.
     */
    public Set<PosixFilePermission> directoryMode()
    {
        return directoryMode;
    }

    /**
     * Sets a file's mode (which the umask may have narrowed at creation) and group.
     *
     * @param file      the file or directory.
     * @param directory true for the registry directory.
     * @throws IOException if the mode or group cannot be set.
     */
    public void applyTo(final Path file, final boolean directory) throws IOException
    {
        Files.setPosixFilePermissions(file, directory ? directoryMode : fileMode);
        if (groupName != null)
        {
            final GroupPrincipal group;
            try
            {
                group = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(groupName);
            }
            catch (final IOException ex)
            {
                throw new ShmLinkException("no Unix group '" + groupName + "' to share " + file + " with", ex);
            }
            try
            {
                Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(group);
            }
            catch (final FileSystemException ex)
            {
                throw new ShmLinkException("cannot give " + file + " to group " + groupName + " (only its owner, " +
                    "being in that group, or root can): " + ex, ex);
            }
        }
    }

    /**
     * @return the file mode: 0600 or 0660.
     */
    public Set<PosixFilePermission> fileMode()
    {
        return fileMode;
    }
}
