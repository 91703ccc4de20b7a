package io.shmlink.shm.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the {@link VarHandle} of a field for a class's static initialiser, as JCTools' {@code UnsafeAccess} finds
 * a field's offset: a missing field is a build error, so it fails the class's initialisation.
 */
public final class VarHandles
{
    private VarHandles()
    {
    }

    /**
     * The handle of a field of the lookup's own class.
     *
     * @param lookup the class's {@code MethodHandles.lookup()}, which may reach its private fields.
     * @param name   the field's name.
     * @param type   the field's type.
     * @return the handle.
     * @throws ExceptionInInitializerError if there is no such field.
     */
    public static VarHandle field(final MethodHandles.Lookup lookup, final String name, final Class<?> type)
    {
        try
        {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
