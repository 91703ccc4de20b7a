package io.shmlink.shm.registry;

import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.segment.FileAccess;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The registry directory: created 0700 (0770 when shared with a group), and refused when it could let another
 * user tamper with channels (the checks of ssh's StrictModes): a symbolic link, a directory writable by others,
 * writable by its group when not shared with one, or owned by another user when not shared. And refused unless
 * asked for (see {@link Placement}) when it is probably a mistake: a relative path, a missing parent, a file system
 * on disk. Refused too under a directory (its parent or any above) that its group or others may write without the
 * sticky bit: they could swap the registry directory for a link (see {@link #checkAncestors}). Parents it creates
 * are 0700, or 0750 of the group when shared: never group-writable.
 * <p>
 * <b>Shared with a group</b> ({@link FileAccess#sharedWithGroup}): the directory must be of that group, mode 0770
 * (the setgid and sticky bits allowed), nothing for others; then a directory owned by another user is accepted
 * too, when this process is in the group (effective or supplementary) or runs as root, which is what lets the
 * processes of several users share channels, and an administrator open (and clean) any group's directory.
 * Directories it creates are made 0700, given their group, then made 0770, through a handle on the directory
 * made, never its path (see {@link FileAccess#createDirectory}). Under a sticky parent ({@code /dev/shm}) the
 * registry directory's owner can still rename it: root should open a shared directory that root owns (or accept
 * that its owner can redirect root's file operations). Every refusal names the path, its owner, group and mode,
 * and the reason.
 */
public final class RegistryDirectory
{
    private RegistryDirectory()
    {
    }

    /** The file system types whose files live in memory: {@code /dev/shm} and huge-page mounts. */
    private static final Set<String> MEMORY_BACKED = Set.of("tmpfs", "hugetlbfs");

    /** The permission bits of a directory shared with a group: 0770. */
    private static final int STICKY = 01000;

    private static final Set<PosixFilePermission> SHARED_DIRECTORY_MODE = PosixFilePermissions.fromString("rwxrwx---");

    /**
     * Which of the placement refusals of {@link #prepare} a caller has switched off.
     *
     * @param allowRelative         accept a relative path (resolved against the working directory).
     * @param createParents         create missing parent directories rather than refuse the path.
     * @param allowNotMemoryBacked  accept a directory on a file system that is not memory-backed.
     */
    public record Placement(boolean allowRelative, boolean createParents, boolean allowNotMemoryBacked)
    {
        /** Every refusal on: an absolute path whose parent exists, on tmpfs or hugetlbfs. */
        public static final Placement STRICT = new Placement(false, false, false);
    }

    /**
     * Creates the directory if absent (0700, or 0770 when shared) and checks it. Refused, unless
     * {@code placement} allows it: a relative path (a typo in {@code SHMLINK_DIR} would silently land in the working
     * directory), a path whose parent does not exist (created parents hide such typos), and a directory on a file
     * system other than tmpfs or hugetlbfs, where a mapping is file-backed and written back to disk.
     *
     * @param directory the registry directory.
     * @param access    who may use it.
     * @param placement which of the placement refusals are switched off.
     * @return its absolute path.
     * @throws ShmLinkException naming the path and the reason if it cannot be created or is refused.
     */
    public static Path prepare(final Path directory, final FileAccess access, final Placement placement)
    {
        if (!directory.isAbsolute() && !placement.allowRelative())
        {
            throw refused(directory, "the path is relative (it would be " +
                directory.toAbsolutePath().normalize() + " from this working directory); give an absolute path, " +
                "or allow it with ShmRegistry.Options.allowRelativePath(true)");
        }
        final Path dir = directory.toAbsolutePath().normalize();
        try
        {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
            {
                final Path parent = dir.getParent();
                if (parent != null && !Files.isDirectory(parent))
                {
                    if (!placement.createParents())
                    {
                        throw refused(dir, "its parent " + parent + " does not exist (a mistyped path?); create " +
                            "it first, or allow it with ShmRegistry.Options.createParentDirectories(true)");
                    }
                    checkMemoryBacked(dir, nearestExisting(parent), placement);
                    checkAncestors(dir, access); // those that exist, before anything is made under them
                    createParents(parent, access);
                }
                else if (parent != null)
                {
                    checkMemoryBacked(dir, parent, placement);
                }
                checkAncestors(dir, access);
                try
                {
                    access.createDirectory(dir);
                }
                catch (final FileAlreadyExistsException raced)
                {
                    // another process created it: check theirs below
                }
            }
            else
            {
                checkAncestors(dir, access);
            }
            final PosixFileAttributes attributes =
                Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink())
            {
                throw refused(dir, "it is a symbolic link");
            }
            if (!attributes.isDirectory())
            {
                throw refused(dir, "it is not a directory");
            }
            final String user = System.getProperty("user.name");
            if (attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE))
            {
                throw refused(dir, attributes, "it is writable by others");
            }
            if (access.groupName() == null)
            {
                if (attributes.permissions().contains(PosixFilePermission.GROUP_WRITE))
                {
                    throw refused(dir, attributes, "it is writable by its group " + attributes.group().getName() +
                        "; share it deliberately with Options.shareWithGroup(\"" + attributes.group().getName() +
                        "\")");
                }
                final String owner = attributes.owner().getName();
                if (!owner.equals(user))
                {
                    throw refused(dir, attributes, "it is owned by " + owner + ", not by " + user + " (a directory " +
                        "shared by a group's users is opened with Options.shareWithGroup)");
                }
            }
            else
            {
                checkShared(dir, attributes, access.groupName(), user);
            }
            checkMemoryBacked(dir, dir, placement);
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot open registry directory " + dir + ": " + ex, ex);
        }
        return dir;
    }

    /**
     * The checks of a directory shared with a group: of that group, 0770 (setgid and sticky allowed), nothing for
     * others, and, when another user owns it, this process in the group, unless it runs as root.
     */
    private static void checkShared(
        final Path dir, final PosixFileAttributes attributes, final String groupName, final String user)
        throws IOException
    {
        final String group = attributes.group().getName();
        if (!group.equals(groupName))
        {
            throw refused(dir, attributes, "it belongs to group " + group + ", not to group " + groupName +
                " that it is to be shared with (chgrp " + groupName + " it, or share it with " + group + ")");
        }
        final Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.OTHERS_READ) ||
            permissions.contains(PosixFilePermission.OTHERS_EXECUTE))
        {
            throw refused(dir, attributes, "it is accessible by others; a directory shared with group " +
                groupName + " must be mode 0770 (chmod 0770 it)");
        }
        if (!permissions.equals(SHARED_DIRECTORY_MODE))
        {
            throw refused(dir, attributes, "its mode is not 0770 (rwxrwx---), so not every member of group " +
                groupName + " can create and remove channels in it (chmod 0770 it)");
        }
        final String owner = attributes.owner().getName();
        // root needs no membership: the kernel lets it in anyway, and an administrator cleans up a group's directory
        if (!owner.equals(user) && ProcessGroups.effectiveUid() != 0)
        {
            final long gid = ((Number)Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
            if (Boolean.FALSE.equals(ProcessGroups.isMember(gid)))
            {
                throw refused(dir, attributes, "it is owned by " + owner + ", and this process (user " + user +
                    ") is not in its group " + groupName + " (add " + user + " to " + groupName +
                    " and log in again, or run it with that group)");
            }
        }
    }

    /**
     * For a registry shared with a group: refuses a registry directory whose parent, or any directory above it, is
     * writable by its group or by others
     * without the sticky bit (as ssh's StrictModes does for a home directory): whoever can write there can rename
     * the registry directory (or a directory above it) away and put a link in its place, and everything this
     * process does after its checks goes by path. With the sticky bit ({@code /dev/shm}, {@code /tmp}: 1777) only
     * an entry's owner, the directory's owner and root may rename it. Both the path as given and the directories
     * its links lead to are checked; ancestors that do not exist yet are skipped (called again once they do).
     */
    private static void checkAncestors(final Path dir, final FileAccess access) throws IOException
    {
        if (access.groupName() == null)
        {
            // Owner-only: nobody else is meant to use it, and a refusal here would turn away common layouts (a
            // group-writable directory of a user-private group under umask 002). See docs/DESIGN.md.
            return;
        }
        final Set<Path> ancestors = new LinkedHashSet<>();
        for (Path path = dir.getParent(); path != null; path = path.getParent())
        {
            ancestors.add(path);
        }
        final Path parent = dir.getParent();
        if (parent != null)
        {
            for (Path path = nearestExisting(parent).toRealPath(); path != null; path = path.getParent())
            {
                ancestors.add(path);
            }
        }
        for (final Path ancestor : ancestors)
        {
            if (!Files.exists(ancestor))
            {
                continue; // to be created by this process, never group-writable; checked again once made
            }
            final PosixFileAttributes attributes = Files.readAttributes(ancestor, PosixFileAttributes.class);
            final int mode = ((Number)Files.getAttribute(ancestor, "unix:mode")).intValue();
            final Set<PosixFilePermission> permissions = attributes.permissions();
            if ((mode & STICKY) == 0 && (permissions.contains(PosixFilePermission.GROUP_WRITE) ||
                permissions.contains(PosixFilePermission.OTHERS_WRITE)))
            {
                throw refused(dir, "the directory " + ancestor + " above it is writable by " +
                    (permissions.contains(PosixFilePermission.OTHERS_WRITE) ? "others" : "its group " +
                    attributes.group().getName()) + " without the sticky bit (" + describe(ancestor, attributes) +
                    "), so they could rename the registry directory away and put a link in its place; make it " +
                    "chmod go-w, or chmod +t (as /dev/shm is), or place the registry elsewhere");
            }
        }
    }

    /**
     * Creates the missing parents of the registry directory, outermost first, each 0700, or 0750 of the group
     * when shared (never group-writable: see {@link FileAccess#createParentDirectory}), set explicitly whatever the
     * umask.
     */
    private static void createParents(final Path parent, final FileAccess access) throws IOException
    {
        final List<Path> missing = new ArrayList<>();
        for (Path path = parent; path != null && !Files.exists(path, LinkOption.NOFOLLOW_LINKS);
            path = path.getParent())
        {
            missing.add(0, path);
        }
        for (final Path path : missing)
        {
            try
            {
                access.createParentDirectory(path);
            }
            catch (final FileAlreadyExistsException raced)
            {
                // another process created it: checked with every other ancestor
            }
        }
    }

    /**
     * A directory's owner, group and mode, for refusals: {@code owner alice, group team, mode 2770 (rwxrwx---)}.
     *
     * @param dir        the directory.
     * @param attributes its attributes.
     * @return the description.
     */
    static String describe(final Path dir, final PosixFileAttributes attributes)
    {
        String octal;
        try
        {
            octal = String.format("%04o",
                ((Number)Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue() & 07777);
        }
        catch (final IOException | RuntimeException ex)
        {
            octal = "?";
        }
        return "owner " + attributes.owner().getName() + ", group " + attributes.group().getName() + ", mode " +
            octal + " (" + PosixFilePermissions.toString(attributes.permissions()) + ")";
    }

    /**
     * The type of the file system a path is on, as the kernel names it ({@code tmpfs}, {@code ext4}, ...).
     *
     * @param path an existing path.
     * @return the type.
     * @throws IOException if it cannot be read.
     */
    public static String fileSystemType(final Path path) throws IOException
    {
        return Files.getFileStore(path).type();
    }

    private static void checkMemoryBacked(final Path dir, final Path onFileSystemOf, final Placement placement)
        throws IOException
    {
        if (placement.allowNotMemoryBacked())
        {
            return;
        }
        final String type = fileSystemType(onFileSystemOf);
        if (!MEMORY_BACKED.contains(type))
        {
            throw refused(dir, "it is on a " + type + " file system, not a memory-backed one (tmpfs or hugetlbfs): " +
                "channel files there are written back to disk, so every message costs disk writes and the " +
                "mapping is not plain shared memory; use a directory under /dev/shm, or allow it with " +
                "ShmRegistry.Options.allowNotMemoryBacked(true)");
        }
    }

    private static Path nearestExisting(final Path path)
    {
        Path existing = path;
        while (existing != null && !Files.exists(existing))
        {
            existing = existing.getParent();
        }
        return existing != null ? existing : path.getRoot();
    }

    /**
     * The channel-named files in a directory, sorted.
     *
     * @param directory the registry directory.
     * @return file names that are valid channel names.
     */
    public static List<String> channelNames(final Path directory)
    {
        final List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory))
        {
            for (final Path path : stream)
            {
                final String name = path.getFileName().toString();
                if (ChannelNames.isValid(name))
                {
                    names.add(name);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot list registry directory " + directory + ": " + ex, ex);
        }
        Collections.sort(names);
        return names;
    }

    /**
     * Deletes a file.
     *
     * @param file the file.
     * @return true if it existed.
     */
    public static boolean delete(final Path file)
    {
        try
        {
            return Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot delete " + file + ": " + ex, ex);
        }
    }

    private static ShmLinkException refused(final Path dir, final String why)
    {
        return new ShmLinkException("refusing registry directory " + dir + ": " + why);
    }

    private static ShmLinkException refused(final Path dir, final PosixFileAttributes attributes, final String why)
    {
        return refused(dir, why + " (" + describe(dir, attributes) + ")");
    }
}
