package io.shmlink.shm.registry;

import java.util.regex.Pattern;

/**
 * The rule for channel names: 1 to 64 characters of {@code [A-Za-z0-9._-]}, not starting with a dot. Such a name
 * can neither leave the registry directory ({@code /} and {@code ..} cannot be formed) nor collide with the
 * dot-files the library keeps there: creations' temporary files, doorbell sockets and alive files. Listing a
 * registry shows only files with valid names, so never those.
 */
public final class ChannelNames
{
    /** The longest name. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");

    private ChannelNames()
    {
    }

    /**
     * Whether a string is a valid channel name.
     *
     * @param name the candidate.
     * @return true if valid.
     */
    public static boolean isValid(final String name)
    {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * Checks a channel name.
     *
     * @param name the candidate.
     * @throws IllegalArgumentException naming the rule, if invalid.
     */
    public static void validate(final String name)
    {
        if (!isValid(name))
        {
            throw new IllegalArgumentException("invalid channel name " + quote(name) + ": a name is 1 to " +
                MAX_LENGTH + " characters of [A-Za-z0-9._-] and does not start with '.'");
        }
    }

    private static String quote(final String name)
    {
        if (name == null)
        {
            return "null";
        }
        final String shown = name.length() > 80 ? name.substring(0, 80) + "...(" + name.length() + " chars)" : name;
        return "'" + shown.replace("\0", "\\0") + "'";
    }
}
