package io.shmlink.shm.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who this process is to the kernel's file access checks: its effective user id, and the groups it is in (its
 * effective and file-system group ids and its supplementary groups), read from {@code /proc/self/status} (Java has
 * no {@code geteuid} or {@code getgroups}).
 */
final class ProcessGroups
{
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessGroups()
    {
    }

    /**
     * This process's effective user id.
     *
     * @return the uid, or -1 if {@code /proc/self/status} cannot be read.
     */
    static long effectiveUid()
    {
        try
        {
            for (final String line : Files.readAllLines(STATUS))
            {
                if (line.startsWith("Uid:"))
                {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // unknown
        }
        return -1;
    }

    /**
     * Whether this process is in a group.
     *
     * @param gid the group id.
     * @return true if it is, false if it is not, null if {@code /proc/self/status} cannot be read.
     */
    static Boolean isMember(final long gid)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(STATUS);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
        return isMember(lines, gid);
    }

    /**
     * Whether the process a {@code /proc/PID/status} describes is in a group.
     *
     * @param statusLines the lines of its status file.
     * @param gid         the group id.
     * @return true if it is, false if it is not, null if the lines name no groups.
     */
    static Boolean isMember(final List<String> statusLines, final long gid)
    {
        boolean read = false;
        for (final String line : statusLines)
        {
            // "Gid:  real effective saved fs" and "Groups:  supplementary..."; the real gid does not open files
            final boolean gidLine = line.startsWith("Gid:");
            if (gidLine || line.startsWith("Groups:"))
            {
                read = true;
                final String[] ids = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
                for (int i = 0; i < ids.length; i++)
                {
                    if ((!gidLine || i == 1 || i == 3) && !ids[i].isEmpty() && Long.parseLong(ids[i]) == gid)
                    {
                        return true;
                    }
                }
            }
        }
        return read ? Boolean.FALSE : null;
    }
}
