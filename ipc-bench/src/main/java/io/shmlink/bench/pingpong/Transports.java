package io.shmlink.bench.pingpong;

import io.shmlink.api.ChannelMode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The transports the harness knows by name, and the way in for others: a fully qualified class name of a
 * {@link Transport} with a public no-argument constructor is accepted wherever a name is. To add a built-in
 * transport, implement {@link Transport} and add one line to {@link #BUILT_IN}.
 */
public final class Transports
{
    private static final Map<String, Supplier<Transport>> BUILT_IN = new LinkedHashMap<>();

    static
    {
        BUILT_IN.put("floor", FloorTransport::new);
        BUILT_IN.put("shmlink-spsc", () -> new ShmLinkTransport(ChannelMode.SPSC));
        BUILT_IN.put("shmlink-mpsc", () -> new ShmLinkTransport(ChannelMode.MPSC));
        BUILT_IN.put("agrona", AgronaTransport::new);
        BUILT_IN.put("aeron", AeronTransport::new);
        BUILT_IN.put("chronicle", ChronicleTransport::new);
        BUILT_IN.put("uds", () -> new SocketTransport(SocketTransport.Family.UNIX));
        BUILT_IN.put("tcp", () -> new SocketTransport(SocketTransport.Family.TCP));
    }

    private Transports()
    {
    }

    /**
     * @return every built-in transport name, in running order.
     */
    public static List<String> builtIn()
    {
        return List.copyOf(BUILT_IN.keySet());
    }

    /**
     * The transports a run uses unless told otherwise: the shared-memory ones. The sockets' round trips are a few
     * hundred times longer here (40-55 us against 0.13-0.2 us), so with the same counts they would stretch the
     * quick run past a minute; name them with {@code --transports} to include them.
     *
     * @return the default transport names, in running order.
     */
    public static List<String> defaults()
    {
        return List.of("floor", "shmlink-spsc", "shmlink-mpsc", "agrona");
    }

    /**
     * Makes one transport.
     *
     * @param nameOrClass a built-in name, or the class name of a {@link Transport}.
     * @return a new instance.
     * @throws IllegalArgumentException if it names nothing usable.
     */
    public static Transport create(final String nameOrClass)
    {
        final Supplier<Transport> builtIn = BUILT_IN.get(nameOrClass);
        if (builtIn != null)
        {
            return builtIn.get();
        }
        if (nameOrClass.indexOf('.') < 0)
        {
            throw new IllegalArgumentException("unknown transport '" + nameOrClass + "': use one of " +
                BUILT_IN.keySet() + " or the class name of a " + Transport.class.getName());
        }
        try
        {
            final Class<?> type = Class.forName(nameOrClass, true, Transports.class.getClassLoader());
            if (!Transport.class.isAssignableFrom(type))
            {
                throw new IllegalArgumentException(nameOrClass + " does not implement " + Transport.class.getName());
            }
            return (Transport)type.getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("cannot make transport " + nameOrClass + ": " + ex, ex);
        }
    }

    /**
     * Makes the transports of a run, checking that their names, which are also directory names, are distinct.
     *
     * @param namesOrClasses built-in names or class names.
     * @return new instances, in the given order.
     */
    public static List<Transport> create(final List<String> namesOrClasses)
    {
        final List<Transport> transports = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (final String spec : namesOrClasses)
        {
            final Transport transport = create(spec);
            if (!transport.name().matches("[a-z0-9-]+") || !names.add(transport.name()))
            {
                throw new IllegalArgumentException("transport names must be distinct and match [a-z0-9-]+: '" +
                    transport.name() + "' (from " + spec + ")");
            }
            transports.add(transport);
        }
        return transports;
    }
}
