package io.shmlink.bench.pingpong;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.MediaDriverVersion;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How {@link AeronUdpTransport} and {@link ShmLinkAeronBridgeTransport} run Aeron over UDP unicast on loopback
 * between the pinging JVM and the echo JVM, so that the two compare like for like: the media driver each JVM embeds,
 * the channels, and the two ports.
 * <p>
 * <b>The drivers spin.</b> Unlike {@link AeronDriver}'s IPC driver, which only moves publication limits and can
 * sleep, a UDP driver carries every message: its sender thread sends each datagram, its receiver thread takes it
 * off the socket. So they are set up as Aeron's low-latency driver ({@code LowLatencyMediaDriver}) is: logs not
 * sparse, and every duty cycle busy-spinning, by default in {@link ThreadingMode#SHARED} (conductor, sender and
 * receiver on one thread per driver, {@link BusySpinIdleStrategy}), or, with
 * {@code -D}{@value #THREADING_PROPERTY}{@code =DEDICATED}, on three threads per driver (conductor busy-spinning,
 * sender and receiver never idling), as that driver does. Socket buffers, windows and the MTU (1408 bytes) are
 * Aeron's defaults. Every one of these threads spins whether or not a message is in flight, so a run wants a core
 * for each (see {@link #spinningThreads}) and more for the rest of the host: on two vCPUs the scheduler, not Aeron,
 * makes the figures.
 * <p>
 * <b>Backing off, for tests.</b> {@code -D}{@value #IDLE_PROPERTY}{@code =backoff} gives every driver thread (and
 * every bridge of {@link ShmLinkAeronBridgeTransport}) Agrona's {@link BackoffIdleStrategy} with its defaults (spin,
 * yield, then park 1 us up to 1 ms) instead: not a low-latency set-up, but one whose idle threads leave a two-core
 * host's cores to the threads with work, so that a short run there finishes in seconds rather than minutes (with
 * every thread spinning, a round trip waits for the scheduler's time slices: some 16 ms at the median, measured).
 * <p>
 * <b>Ports.</b> The parent picks two free UDP ports on 127.0.0.1 in {@code create} ({@link #choosePorts}), the ping
 * port (the echo JVM's subscription) and the pong port (the pinging JVM's), and writes them into the transport's
 * directory, where the echo child reads them ({@link #ports}). Another process could take one of them before its
 * subscription binds it; the run then fails at the bind, it does not measure the wrong thing.
 */
final class AeronUdp
{
    /** The system property choosing the drivers' threading: {@code SHARED} (the default) or {@code DEDICATED}. */
    static final String THREADING_PROPERTY = "pingpong.aeron.udp.threading";

    /** The system property choosing the idle strategy of drivers and bridges: {@code spin} or {@code backoff}. */
    static final String IDLE_PROPERTY = "pingpong.aeron.udp.idle";

    /** Loopback: both JVMs are on this host. */
    static final String HOST = "127.0.0.1";

    /** The file in the transport's directory holding the ping port and the pong port. */
    static final String PORTS_FILE = "udp-ports";

    /** The directory of the pinging JVM's driver, in the transport's directory. */
    static final String PINGER_DRIVER = "pinger-driver";

    /** The directory of the echo JVM's driver, in the transport's directory. */
    static final String ECHO_DRIVER = "echo-driver";

    /** The index of the ping port in {@link #ports}. */
    static final int PING = 0;

    /** The index of the pong port in {@link #ports}. */
    static final int PONG = 1;

    private AeronUdp()
    {
    }

    /**
     * @return the threading {@value #THREADING_PROPERTY} asks for; SHARED unless it says DEDICATED.
     * @throws IllegalArgumentException if it names another mode.
     */
    static ThreadingMode threading()
    {
        final String mode = System.getProperty(THREADING_PROPERTY, ThreadingMode.SHARED.name());
        final ThreadingMode threading = ThreadingMode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        if (threading != ThreadingMode.SHARED && threading != ThreadingMode.DEDICATED)
        {
            throw new IllegalArgumentException(THREADING_PROPERTY + " must be SHARED or DEDICATED: " + mode);
        }
        return threading;
    }

    /**
     * @return whether {@value #IDLE_PROPERTY} asks for backing off rather than spinning.
     * @throws IllegalArgumentException if it says neither.
     */
    static boolean backsOff()
    {
        final String idle = System.getProperty(IDLE_PROPERTY, "spin").trim();
        if (!idle.equals("spin") && !idle.equals("backoff"))
        {
            throw new IllegalArgumentException(IDLE_PROPERTY + " must be spin or backoff: " + idle);
        }
        return idle.equals("backoff");
    }

    /**
     * @return makes the idle strategy of a driver's busy thread or of a bridge: {@link BusySpinIdleStrategy}, or
     * {@link BackoffIdleStrategy} if {@value #IDLE_PROPERTY} says so.
     */
    static Supplier<IdleStrategy> idleStrategy()
    {
        return backsOff() ? BackoffIdleStrategy::new : BusySpinIdleStrategy::new;
    }

    /**
     * @return the echo child's flags carrying {@value #THREADING_PROPERTY} and {@value #IDLE_PROPERTY}, those that
     * are set, so that both JVMs' drivers match.
     */
    static List<String> childJvmFlags()
    {
        final List<String> flags = new ArrayList<>();
        for (final String property : List.of(THREADING_PROPERTY, IDLE_PROPERTY))
        {
            final String value = System.getProperty(property);
            if (value != null)
            {
                flags.add("-D" + property + "=" + value);
            }
        }
        return flags;
    }

    /**
     * @param others the transport's own spinning threads besides the pinger, the echo and the drivers.
     * @return how many threads spin during the transport's run, in both JVMs together: only the pinger and the echo
     * if the drivers back off.
     */
    static int spinningThreads(final int others)
    {
        final int perDriver = threading() == ThreadingMode.SHARED ? 1 : 3;
        return 2 + (backsOff() ? 0 : 2 * perDriver + others);
    }

    /**
     * The drivers' part of a transport's line in the report.
     *
     * @param link the run's message length.
     * @return e.g. "Aeron 1.48.4 UDP unicast on 127.0.0.1, terms of 2048 KiB, an embedded driver in each JVM
     * (SHARED, busy-spinning)".
     */
    static String describe(final LinkSpec link)
    {
        return "Aeron " + MediaDriverVersion.VERSION + " UDP unicast on " + HOST + ", terms of " +
            AeronDriver.termLength(link) / 1024 + " KiB, an embedded driver in each JVM (" + threading() +
            (backsOff() ? ", backing off: -D" + IDLE_PROPERTY + "=backoff, not for measuring)" : ", busy-spinning)");
    }

    /**
     * Parent, in {@code create}: picks the two ports and writes them for the child.
     *
     * @param link the transport's directory.
     * @throws IOException if no port can be had or the file not written.
     */
    static void choosePorts(final LinkSpec link) throws IOException
    {
        try (DatagramChannel ping = DatagramChannel.open(); DatagramChannel pong = DatagramChannel.open())
        {
            ping.bind(new InetSocketAddress(HOST, 0));
            pong.bind(new InetSocketAddress(HOST, 0));
            final int pingPort = ((InetSocketAddress)ping.getLocalAddress()).getPort();
            final int pongPort = ((InetSocketAddress)pong.getLocalAddress()).getPort();
            Files.writeString(link.directory().resolve(PORTS_FILE), pingPort + " " + pongPort,
                StandardCharsets.US_ASCII);
        }
    }

    /**
     * @param link the transport's directory.
     * @return the ping port ({@link #PING}) and the pong port ({@link #PONG}) of {@link #choosePorts}.
     * @throws IOException if the file cannot be read.
     */
    static int[] ports(final LinkSpec link) throws IOException
    {
        final String[] ports =
            Files.readString(link.directory().resolve(PORTS_FILE), StandardCharsets.US_ASCII).trim().split(" ");
        return new int[] {Integer.parseInt(ports[PING]), Integer.parseInt(ports[PONG])};
    }

    /**
     * @param port a port of {@link #ports}.
     * @return the channel of the subscription on that port.
     */
    static String subscriptionChannel(final int port)
    {
        return "aeron:udp?endpoint=" + HOST + ":" + port;
    }

    /**
     * @param link the run's message length.
     * @param port a port of {@link #ports}.
     * @return the channel of the publication to that port: {@link AeronDriver#termLength} terms, pre-touched.
     */
    static String publicationChannel(final LinkSpec link, final int port)
    {
        return subscriptionChannel(port) + "|term-length=" + AeronDriver.termLength(link) + "|sparse=false";
    }

    /**
     * Launches a media driver in this JVM, set up as the class comment says.
     *
     * @param link      the transport's directory.
     * @param directory {@link #PINGER_DRIVER} or {@link #ECHO_DRIVER}: the driver's directory in it, which the driver
     *                  deletes when it closes.
     * @return the running driver.
     */
    static MediaDriver launch(final LinkSpec link, final String directory)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(driverDirectory(link, directory).toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(false)
            .performStorageChecks(false)
            .threadingMode(threading());
        if (backsOff())
        {
            context.sharedIdleStrategy(new BackoffIdleStrategy())
                .conductorIdleStrategy(new BackoffIdleStrategy())
                .senderIdleStrategy(new BackoffIdleStrategy())
                .receiverIdleStrategy(new BackoffIdleStrategy());
        }
        else if (context.threadingMode() == ThreadingMode.SHARED)
        {
            context.sharedIdleStrategy(new BusySpinIdleStrategy());
        }
        else
        {
            context.conductorIdleStrategy(new BusySpinIdleStrategy())
                .senderIdleStrategy(new NoOpIdleStrategy())
                .receiverIdleStrategy(new NoOpIdleStrategy());
        }
        return MediaDriver.launch(context);
    }

    /**
     * Connects a client to this JVM's driver.
     *
     * @param link      the transport's directory.
     * @param directory the driver's directory in it.
     * @return the client; its conductor sleeps between duty cycles (Aeron's default), off the data path.
     */
    static Aeron connect(final LinkSpec link, final String directory)
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDirectory(link, directory).toString()));
    }

    /**
     * @param link      the transport's directory.
     * @param directory {@link #PINGER_DRIVER} or {@link #ECHO_DRIVER}.
     * @return the driver's directory.
     */
    static Path driverDirectory(final LinkSpec link, final String directory)
    {
        return link.directory().resolve(directory);
    }
}
