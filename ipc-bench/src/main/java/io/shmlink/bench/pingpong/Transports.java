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
 * transport, implement {@link Transport} and add one line to {@link #BUILT_IN} (its position is its place in each
 * round and in {@value #ALL}); add its name to {@link #defaults()} too if a quick run can afford it.
 */
public final class Transports
{
    /** What {@code --transports} takes for every built-in transport. */
    public static final String ALL = "all";

    /** The most subscribers of a built-in fan-out transport ({@code shmlink-spmc-N}, {@code aeron-ipc-fanout-N}). */
    public static final int MAX_FAN_OUT = 3;

    private static final Map<String, Supplier<Transport>> BUILT_IN = new LinkedHashMap<>();
    private static final List<String> FAN_OUT = new ArrayList<>();
    /**
     * Built in, but run only when named (not by {@value #ALL}): 1 GiB rings, one of them on huge pages; and the UDP
     * transports, whose spinning media drivers (and bridges) want more idle cores than a quick run's host has.
     */
    private static final Map<String, Supplier<Transport>> BY_NAME_ONLY = new LinkedHashMap<>();

    static
    {
        BUILT_IN.put("floor", FloorTransport::new);
        BUILT_IN.put("shmlink-spsc", () -> new ShmLinkTransport(ChannelMode.SPSC));
        BUILT_IN.put("shmlink-mpsc", () -> new ShmLinkTransport(ChannelMode.MPSC));
        BUILT_IN.put("shmlink-spsc-blocking", ShmLinkBlockingTransport::new);
        BUILT_IN.put("agrona", AgronaTransport::new);
        BUILT_IN.put("shmlink-socket", ShmSocketTransport::new);
        BUILT_IN.put("aeron", AeronTransport::new);
        BUILT_IN.put("chronicle", ChronicleTransport::new);
        BUILT_IN.put("shmlink-chronicle", ShmLinkChronicleTransport::new);
        BUILT_IN.put("shmlink-chronicle-128", ShmLinkChronicleTransport::bounded);
        BUILT_IN.put("chronicle-dto", ChronicleTransport::dto);
        BUILT_IN.put("uds", () -> new SocketTransport(SocketTransport.Family.UNIX));
        BUILT_IN.put("tcp", () -> new SocketTransport(SocketTransport.Family.TCP));
        // Fan-out: the echo child and N - 1 more subscriber JVMs read every ping (FanOutTransport).
        for (int subscribers = 1; subscribers <= MAX_FAN_OUT; subscribers++)
        {
            final int n = subscribers;
            FAN_OUT.add("shmlink-spmc-" + n);
            BUILT_IN.put("shmlink-spmc-" + n, () -> new ShmLinkFanOutTransport(n));
        }
        for (int subscribers = 1; subscribers <= MAX_FAN_OUT; subscribers++)
        {
            final int n = subscribers;
            FAN_OUT.add("aeron-ipc-fanout-" + n);
            BUILT_IN.put("aeron-ipc-fanout-" + n, () -> new AeronFanOutTransport(n));
        }
        BY_NAME_ONLY.put("shmlink-spsc-1g", PageSizeTransport::systemPages);
        BY_NAME_ONLY.put("shmlink-spsc-1g-huge", PageSizeTransport::hugePages);
        BY_NAME_ONLY.put("aeron-udp", AeronUdpTransport::new);
        BY_NAME_ONLY.put("shmlink-aeron-bridge", ShmLinkAeronBridgeTransport::new);
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
     * @return the built-in transports that run only when named, not by {@value #ALL} ({@link PageSizeTransport},
     * {@link AeronUdpTransport}, {@link ShmLinkAeronBridgeTransport}).
     */
    public static List<String> byNameOnly()
    {
        return List.copyOf(BY_NAME_ONLY.keySet());
    }

    /**
     * @return the built-in fan-out transports' names ({@link FanOutTransport}), in running order.
     */
    public static List<String> fanOut()
    {
        return List.copyOf(FAN_OUT);
    }

    /**
     * The transports a run uses unless told otherwise: everything that moves messages through shared memory,
     * ShmLink's rings and the libraries it is compared with. The sockets are left out: their round trips are a few
     * hundred times longer here (40-55 us against 0.13-0.5 us), so with the same counts each would add about a
     * minute to the quick run; name them with {@code --transports}, or {@code --transports all}. So are the fan-out
     * transports: each runs one to three more JVMs, and it needs a core per subscriber and one for the pinger.
     *
     * @return the default transport names, in running order.
     */
    public static List<String> defaults()
    {
        return List.of("floor", "shmlink-spsc", "shmlink-mpsc", "agrona", "shmlink-socket", "aeron", "chronicle");
    }

    /**
     * Replaces {@value #ALL} in a list of transports by every built-in transport, in running order; leaves the rest.
     *
     * @param namesOrClasses names, class names, or {@value #ALL}.
     * @return the list to run.
     */
    public static List<String> expand(final List<String> namesOrClasses)
    {
        final List<String> expanded = new ArrayList<>();
        for (final String spec : namesOrClasses)
        {
            if (spec.equals(ALL))
            {
                expanded.addAll(BUILT_IN.keySet());
            }
            else
            {
                expanded.add(spec);
            }
        }
        return expanded;
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
        final Supplier<Transport> builtIn = BUILT_IN.getOrDefault(nameOrClass, BY_NAME_ONLY.get(nameOrClass));
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
