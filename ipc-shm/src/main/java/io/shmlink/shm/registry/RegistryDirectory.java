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
import java.util.List;

/**
 * The registry directory: created 0700 (0770 when shared with a group), and refused when it could let another
 * user tamper with channels (the checks of ssh's StrictModes): a symbolic link, a directory writable by others,
 * writable by its group when not shared with one, or owned by another user.
 */
public final class RegistryDirectory
{
    private RegistryDirectory()
    {
    }

    /**
     * Creates the directory if absent and checks it.
     *
     * @param directory the registry directory.
     * @param access    who may use it.
     * @return its absolute path.
     * @throws ShmLinkException if it cannot be created or is refused.
     */
    public static Path prepare(final Path directory, final FileAccess access)
    {
        final Path dir = directory.toAbsolutePath().normalize();
        try
        {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
            {
                final Path parent = dir.getParent();
                if (parent != null)
                {
                    Files.createDirectories(parent);
                }
                try
                {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(access.directoryMode()));
                    access.applyTo(dir, true);
                }
                catch (final FileAlreadyExistsException raced)
                {
                    // another process created it: check theirs below
                }
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
            if (attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE))
            {
                throw refused(dir, "it is writable by others (mode " +
                    PosixFilePermissions.toString(attributes.permissions()) + ")");
            }
            if (access.groupName() == null && attributes.permissions().contains(PosixFilePermission.GROUP_WRITE))
            {
                throw refused(dir, "it is writable by its group " + attributes.group().getName() +
                    " (mode " + PosixFilePermissions.toString(attributes.permissions()) +
                    "); share it deliberately with Options.shareWithGroup");
            }
            final String user = System.getProperty("user.name");
            final String owner = attributes.owner().getName();
            if (!owner.equals(user))
            {
                throw refused(dir, "it is owned by " + owner + ", not by " + user);
            }
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot open registry directory " + dir + ": " + ex, ex);
        }
        return dir;
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
}
