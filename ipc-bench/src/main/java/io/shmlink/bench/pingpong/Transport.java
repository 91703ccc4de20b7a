package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * One way of carrying a ping from the parent JVM to the echo child and back. An instance lives in each of the two
 * processes: the parent calls {@link #create} then {@link #openPinger}, the child calls {@link #openEcho}.
 * <p>
 * The split suits more than shared memory: {@link SocketTransport} binds in {@code create} (before the child starts,
 * so the child's connect cannot race it), connects in {@code openEcho} (the child prints READY only after every echo
 * is open) and accepts in {@code openPinger}; {@link AeronTransport} starts its media driver in {@code create} and
 * stops it in {@link #close()}. Implementations have a public no-argument constructor, so the
 * child can make its own instance from the name or class name the parent passes.
 */
public interface Transport extends AutoCloseable
{
    /**
     * The transport's name in options and reports, also the name of its directory; {@code [a-z0-9-]+}.
     *
     * @return the name.
     */
    String name();

    /**
     * One line for the report: what is being measured.
     *
     * @param link where and how big.
     * @return a human-readable description.
     */
    String describe(LinkSpec link);

    /**
     * How this transport serves a throughput run: with which send and sink modes {@link Pinger#sendBurst} and
     * {@link Echo#sink} work, if they do. The floor's ping-pong line holds one message at a time, but it has a ring
     * for this; a socket's {@code read} already copies each message out of the kernel, so the sockets are
     * {@link ThroughputModes#STREAM}.
     *
     * @return {@link ThroughputModes#NONE} unless overridden.
     */
    default ThroughputModes throughputModes()
    {
        return ThroughputModes.NONE;
    }

    /**
     * JVM flags the echo child needs for this transport, beyond the harness's own (Agrona's {@code --add-opens}):
     * a library that reaches into the JDK needs its {@code --add-opens} and {@code --add-exports} there too. The
     * parent JVM needs them as well; the benchmark jar's manifest carries them.
     *
     * @return flags, each one element ({@code --add-opens=module/package=ALL-UNNAMED}); none unless overridden.
     */
    default List<String> childJvmFlags()
    {
        return List.of();
    }

    /**
     * Parent, before the echo child starts: creates what both sides will open (files, channels, listening sockets).
     *
     * @param link the transport's directory (already created, mode 0700) and message length.
     * @throws IOException if that fails.
     */
    void create(LinkSpec link) throws IOException;

    /**
     * Parent, after the echo child reported that every echo is open: attaches the measuring side.
     *
     * @param link  as given to {@link #create}.
     * @param watch consulted while spinning for an echo.
     * @return the pinger.
     * @throws IOException if that fails.
     */
    Pinger openPinger(LinkSpec link, PeerWatch watch) throws IOException;

    /**
     * Child: attaches the echoing side.
     *
     * @param link as given to {@link #create} in the parent.
     * @return the echo.
     * @throws IOException if that fails.
     */
    Echo openEcho(LinkSpec link) throws IOException;

    /**
     * For {@link #openPinger} and {@link #openEcho}: hands a resource just opened (a registry, an Aeron client) to
     * {@code open}, which builds the pinger or echo on it, and closes the resource if that fails, so that a failed
     * open leaks nothing.
     *
     * @param resource the resource; the result owns it.
     * @param open     what builds on it.
     * @param <R>      the resource's type.
     * @param <T>      the result's type.
     * @return what {@code open} built.
     */
    static <R extends AutoCloseable, T> T openOn(final R resource, final Function<R, T> open)
    {
        try
        {
            return open.apply(resource);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                resource.close();
            }
            catch (final Exception closing)
            {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
    }

    /**
     * Releases what {@link #create} made in this process and no pinger or echo took over. Files in the transport's
     * directory need no cleanup: the run deletes the directory.
     */
    @Override
    default void close()
    {
    }
}
