package io.shmlink.shm;

import io.shmlink.api.ShmLinkException;

/**
 * The JVM flag ShmLink needs, checked where a missing one first bites: Agrona 2.x reaches
 * {@code jdk.internal.misc.Unsafe}, which {@code java.base} opens only to whom a flag names. Without it the JVM
 * throws a raw {@link IllegalAccessError} (or, once Agrona's {@code UnsafeApi} has failed to initialise, a
 * {@link NoClassDefFoundError}) from deep inside the first channel access; this turns that into a
 * {@link ShmLinkException} that names the flag for the class path and for the module path.
 */
final class JvmFlags
{
    /** The flag when Agrona is on the class path (in the unnamed module). */
    static final String CLASS_PATH_FLAG = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    /** The flag when Agrona is on the module path, where its jar is the automatic module {@code org.agrona}. */
    static final String MODULE_PATH_FLAG = "--add-opens java.base/jdk.internal.misc=org.agrona";

    private static final String UNSAFE_API = "org.agrona.UnsafeApi";

    private static volatile boolean verified;

    private JvmFlags()
    {
    }

    /**
     * Makes sure Agrona can reach {@code jdk.internal.misc.Unsafe}, initialising its {@code UnsafeApi} now rather
     * than at the first channel access.
     *
     * @throws ShmLinkException naming the missing flag if it cannot.
     */
    static void verify()
    {
        if (verified)
        {
            return;
        }
        try
        {
            Class.forName(UNSAFE_API, true, JvmFlags.class.getClassLoader());
            verified = true;
        }
        catch (final ClassNotFoundException ex)
        {
            throw new ShmLinkException("Agrona (" + UNSAFE_API + ") is not on the class path or module path", ex);
        }
        catch (final LinkageError | RuntimeException ex)
        {
            // IllegalAccessError the first time, NoClassDefFoundError after; InaccessibleObjectException from
            // reflection under some launchers
            throw new ShmLinkException(missingFlagMessage(org.agrona.DirectBuffer.class.getModule()), ex);
        }
    }

    /**
     * What a user must add to the {@code java} command line.
     *
     * @param agrona the module Agrona's classes are in.
     * @return the message, the flag for where Agrona is first.
     */
    static String missingFlagMessage(final Module agrona)
    {
        final String where;
        if (agrona.isNamed())
        {
            where = "Agrona is in module " + agrona.getName() + " here (module path): start java with " +
                "--add-opens java.base/jdk.internal.misc=" + agrona.getName() + " (on the class path it would be " +
                CLASS_PATH_FLAG + ")";
        }
        else
        {
            where = "Agrona is on the class path here: start java with " + CLASS_PATH_FLAG +
                " (on the module path it is " + MODULE_PATH_FLAG + ")";
        }
        return "ShmLink needs a JVM flag: Agrona 2.x cannot reach jdk.internal.misc.Unsafe without it. " + where;
    }
}
