package io.shmlink.shm.segment;

import io.shmlink.api.ShmLinkException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who may open a registry's files: the owner only (directory 0700, files 0600, the default), or the owner and
 * one Unix group (0770 / 0660, with that group set on the directory and every file). Every file and directory the
 * library creates gets its mode from here, set explicitly after creation, so the umask can neither widen nor
 * narrow it; creation itself asks for the same mode (a directory for 0700), which the umask can only narrow, so no
 * file is ever wider than this, not even for an instant.
 * <p>
 * A shared directory is writable by every member of the group, so any of them may rename or replace an entry
 * another just made. So modes and groups are never set by a path that could lead elsewhere: on the open file or
 * directory itself ({@link #applyToOpen}, {@link #createDirectory}), or by a path inside a directory only this
 * process's user may write ({@link #applyToPrivate}).
 */
public final class FileAccess
{
    /** Owner only. */
    public static final FileAccess OWNER_ONLY = new FileAccess(null);

    /** Every directory is made with this mode, widened (if shared) only once it has its group. */
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /** Every file is made with this mode, widened (if shared) only once it has its group. */
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private final String groupName;
    private final Set<PosixFilePermission> directoryMode;
    private final Set<PosixFilePermission> parentMode;
    private final Set<PosixFilePermission> fileMode;

    private FileAccess(final String groupName)
    {
        this.groupName = groupName;
        this.directoryMode = PosixFilePermissions.fromString(groupName == null ? "rwx------" : "rwxrwx---");
        this.parentMode = PosixFilePermissions.fromString(groupName == null ? "rwx------" : "rwxr-x---");
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
     * The mode to create a file with: 0600, whatever the access; {@link #applyToOpen} then gives it its group and
     * only after that its final mode, so it is never open to the creator's own group, not even for an instant.
     *
     * @return the attribute for {@code Files.createFile} or {@code FileChannel.open}.
     */
    public static FileAttribute<Set<PosixFilePermission>> creationMode()
    {
        return PosixFilePermissions.asFileAttribute(PRIVATE_FILE);
    }

    /**
     * Creates a directory with this access: made 0700, then given the group, then the mode (0700 or 0770), so it
     * is never open to a group it is not meant for, not even under {@code umask 000}. The group and mode are set
     * through a handle on the directory just made ({@code fchown}, {@code fchmod}), never by its path: in a
     * directory others may write, they could swap the new entry for a symbolic link between {@code mkdir} and a
     * {@code chmod} by path, and have this process (root, perhaps) change a file of their choosing.
     *
     * @param directory the directory to create.
     * @throws java.nio.file.FileAlreadyExistsException if something of that name exists.
     * @throws IOException if it cannot be created, or was replaced before its mode was set (then it is refused
     *                     and left as it is).
     */
    public void createDirectory(final Path directory) throws IOException
    {
        createDirectory(directory, directoryMode);
    }

    /**
     * Creates a missing parent of a registry directory as {@link #createDirectory} does, but never writable by the
     * group: 0700, or 0750 of the group when shared, so members can reach the registry directory and nothing
     * more. Were it group-writable (and not sticky), any member could rename the registry directory away and put a
     * link in its place, and a process using it by path (root, perhaps) would create and delete files wherever
     * the link leads.
     *
     * @param directory the directory to create.
     * @throws java.nio.file.FileAlreadyExistsException if something of that name exists.
     * @throws IOException if it cannot be created, or was replaced before its mode was set.
     */
    public void createParentDirectory(final Path directory) throws IOException
    {
        createDirectory(directory, parentMode);
    }

    private void createDirectory(final Path directory, final Set<PosixFilePermission> mode) throws IOException
    {
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        try (SecureDirectoryStream<Path> made = openCreatedDirectory(directory))
        {
            final PosixFileAttributeView view = made.getFileAttributeView(PosixFileAttributeView.class);
            if (groupName != null)
            {
                setGroup(view, directory);
            }
            view.setPermissions(mode);
        }
    }

    /**
     * Opens a directory this process has just created, refusing it unless it is still that directory: a real
     * directory (not a link) whose file key is the one it had just after its creation. The returned handle's
     * attribute view changes the directory itself, whatever becomes of its path.
     *
     * @param directory the directory just created.
     * @return a handle on it, to close.
     * @throws IOException if it is not a directory any more, or has been replaced.
     */
    public static SecureDirectoryStream<Path> openCreatedDirectory(final Path directory) throws IOException
    {
        final BasicFileAttributes made =
            Files.readAttributes(directory, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!made.isDirectory())
        {
            throw replaced(directory, "the directory this process created there was replaced by another file");
        }
        final DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (!(stream instanceof SecureDirectoryStream<Path> secure))
        {
            stream.close();
            throw new IOException("cannot set the mode of " + directory + " without following links: this " +
                "platform has no SecureDirectoryStream");
        }
        final Object opened = secure.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        if (made.fileKey() == null || !made.fileKey().equals(opened))
        {
            secure.close();
            throw replaced(directory, "the directory this process created there was replaced while it was opened");
        }
        return secure;
    }

    /**
     * Sets the mode and group of a regular file this process has just created and still has open. They are set
     * on the open file itself (through its {@code /proc/self/fd} entry, as {@code fchmod} and {@code fchown}
     * would), never by the path, which another member of the group could have swapped for a link meanwhile; if the
     * path no longer names a file this process has open, it is refused and nothing is changed. Owner only, the mode
     * is set by the path, and only if the umask narrowed it: nobody else can write an unshared registry directory.
     *
     * @param file the file, open in this process.
     * @throws IOException if the mode or group cannot be set, or the path names another file now.
     */
    public void applyToOpen(final Path file) throws IOException
    {
        final PosixFileAttributes attributes =
            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile())
        {
            throw replaced(file, "the file this process created there was replaced by a link or other file");
        }
        if (groupName == null)
        {
            // Owner only: the registry directory is this user's alone (RegistryDirectory refuses anything else),
            // so nobody else can have swapped the name, and /proc/self/fd is not needed. The creation mode is the
            // final mode; only a umask that narrowed it needs a chmod.
            if (!attributes.permissions().equals(fileMode))
            {
                Files.setPosixFilePermissions(file, fileMode);
            }
            return;
        }
        final Path open = OpenFiles.find(attributes.fileKey());
        if (open == null)
        {
            throw replaced(file, "the file this process created there was replaced by one it does not have open");
        }
        applyTo(open, file);
    }

    /**
     * Sets the mode and group of a file by its path. Only for a path nobody else can redirect: a file in a directory
     * that only this process's user may write, such as a doorbell's private staging directory reached through
     * this process's own handle on it.
     *
     * @param file the file.
     * @throws IOException if the mode or group cannot be set.
     */
    public void applyToPrivate(final Path file) throws IOException
    {
        applyTo(file, file);
    }

    private void applyTo(final Path file, final Path named) throws IOException
    {
        if (groupName != null)
        {
            setGroup(Files.getFileAttributeView(file, PosixFileAttributeView.class), named);
        }
        Files.setPosixFilePermissions(file, fileMode);
    }

    private void setGroup(final PosixFileAttributeView view, final Path named) throws IOException
    {
        final GroupPrincipal group;
        try
        {
            group = named.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(groupName);
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("no Unix group '" + groupName + "' to share " + named + " with", ex);
        }
        try
        {
            view.setGroup(group);
        }
        catch (final FileSystemException ex)
        {
            throw new ShmLinkException("cannot give " + named + " to group " + groupName + " (only its owner, " +
                "being in that group, or root can): " + ex, ex);
        }
    }

    private static ShmLinkException replaced(final Path path, final String why)
    {
        String found;
        try
        {
            final PosixFileAttributes now =
                Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            final int mode = ((Number)Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
            found = (now.isSymbolicLink() ? "a symbolic link" : now.isDirectory() ? "a directory" :
                now.isRegularFile() ? "a file" : "a special file") + " of owner " + now.owner().getName() +
                ", group " + now.group().getName() + ", mode " + String.format("%04o", mode & 07777) + " (" +
                PosixFilePermissions.toString(now.permissions()) + ")";
        }
        catch (final IOException | RuntimeException ex)
        {
            found = "nothing readable (" + ex + ")";
        }
        return new ShmLinkException("refusing to set the mode of " + path + ": " + why + "; it is now " + found +
            ", left as it is (someone else with write access to its directory swapped it)");
    }

    /**
     * @return the file mode: 0600 or 0660.
     */
    public Set<PosixFilePermission> fileMode()
    {
        return fileMode;
    }
}
