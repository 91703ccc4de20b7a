package io.shmlink.bench.socket;

import io.shmlink.bench.pingpong.ChildJvm;
import io.shmlink.bench.pingpong.Summary;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmServerSocket;
import io.shmlink.shm.socket.ShmSocket;
import io.shmlink.shm.wait.ReaderWait;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request/response round trips over stream sockets between two JVMs: ShmSocket (readers busy-spinning, and with
 * the default blocking wait) against a JDK Unix-domain {@code SocketChannel} and loopback TCP with
 * {@code TCP_NODELAY}, for several message sizes, in interleaved rounds (the transports' order rotates every
 * round), each round on fresh connections so that a spinning echo never steals a core from another transport.
 * <p>
 * Run: {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp ipc-bench/target/benchmarks.jar
 * io.shmlink.bench.socket.SocketRoundTrip [--rounds 10] [--count 20000] [--sizes 32,1024,65536]}
 * <p>
 * Prints, per size, each transport's percentiles over all rounds (ns) and the median of the per-round ratios of
 * each transport's p50 to {@code shm-spin}'s, with their range.
 */
public final class SocketRoundTrip
{
    static final String SHM_SPIN = "shm-spin";
    static final String SHM_BLOCKING = "shm-blocking";
    static final String UDS = "uds";
    static final String TCP = "tcp";
    static final List<String> TRANSPORTS = List.of(SHM_SPIN, SHM_BLOCKING, UDS, TCP);

    private SocketRoundTrip()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("--echo"))
        {
            echo(Path.of(args[1]));
            return;
        }
        int rounds = 10;
        int count = 20_000;
        int[] sizes = {32, 1024, 65536};
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                case "--sizes" -> sizes = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "socket-rtt-");
        try (ChildJvm child = ChildJvm.start("socket echo", List.of("-Xmx256m"), SocketRoundTrip.class,
            List.of("--echo", directory.toString())))
        {
            final int tcpPort = Integer.parseInt(child.awaitLine("READY ").substring("READY ".length()));
            System.out.printf("socket round trips: %d rounds x %d per transport and size, echo pid %d%n%n",
                rounds, count, child.pid());
            for (final int size : sizes)
            {
                run(directory, tcpPort, size, rounds, count);
            }
        }
        finally
        {
            deleteTree(directory);
        }
    }

    private static void run(final Path directory, final int tcpPort, final int size, final int rounds,
        final int count) throws IOException
    {
        final Map<String, Histogram> histograms = new LinkedHashMap<>();
        final Map<String, List<Long>> roundP50s = new LinkedHashMap<>();
        for (final String transport : TRANSPORTS)
        {
            histograms.put(transport, new Histogram(3));
            roundP50s.put(transport, new ArrayList<>());
        }
        final byte[] message = new byte[size];
        final byte[] reply = new byte[size];
        try (ShmRegistry spin = ShmRegistry.open(directory.resolve("spin"),
            new ShmRegistry.Options().readerWait(ReaderWait.busySpin()));
            ShmRegistry blocking = ShmRegistry.open(directory.resolve("blocking")))
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int t = 0; t < TRANSPORTS.size(); t++)
                {
                    final String transport = TRANSPORTS.get((t + round) % TRANSPORTS.size());
                    final Histogram roundHistogram = new Histogram(3);
                    try (Connection connection = connect(transport, spin, blocking, directory, tcpPort))
                    {
                        pingPong(connection, message, reply, Math.max(1_000, count / 10), null); // warm-up
                        pingPong(connection, message, reply, count, roundHistogram);
                    }
                    histograms.get(transport).add(roundHistogram);
                    roundP50s.get(transport).add(roundHistogram.getValueAtPercentile(50));
                }
            }
        }
        report(size, histograms, roundP50s);
    }

    private static void pingPong(final Connection connection, final byte[] message, final byte[] reply,
        final int count, final Histogram histogram) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            message[0] = (byte)i;
            final long start = System.nanoTime();
            connection.out.write(message);
            int received = 0;
            while (received < reply.length)
            {
                final int read = connection.in.read(reply, received, reply.length - received);
                if (read < 0)
                {
                    throw new IOException("echo closed the connection");
                }
                received += read;
            }
            final long rtt = System.nanoTime() - start;
            if (reply[0] != (byte)i)
            {
                throw new IOException("echo returned message " + reply[0] + ", expected " + (byte)i);
            }
            if (histogram != null)
            {
                histogram.recordValue(rtt);
            }
        }
    }

    private static void report(final int size, final Map<String, Histogram> histograms,
        final Map<String, List<Long>> roundP50s)
    {
        System.out.printf("%d-byte request, %d-byte response (ns)%n", size, size);
        System.out.printf("%-13s %10s %10s %10s %10s %10s %10s  %s%n", "transport", "p50", "p90", "p99", "p99.9",
            "max", "mean", "p50 / shm-spin p50, median of rounds [range]");
        final List<Long> reference = roundP50s.get(SHM_SPIN);
        for (final Map.Entry<String, Histogram> entry : histograms.entrySet())
        {
            final Histogram h = entry.getValue();
            final List<Long> p50s = roundP50s.get(entry.getKey());
            final double[] ratios = new double[p50s.size()];
            for (int i = 0; i < ratios.length; i++)
            {
                ratios[i] = (double)p50s.get(i) / reference.get(i);
            }
            final Summary ratio = Summary.of(ratios);
            System.out.printf(Locale.ROOT, "%-13s %10d %10d %10d %10d %10d %10.0f  %.2f [%.2f..%.2f]%n",
                entry.getKey(), h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean(), ratio.median(), ratio.min(), ratio.max());
        }
        System.out.println();
    }

    private static Connection connect(final String transport, final ShmRegistry spin, final ShmRegistry blocking,
        final Path directory, final int tcpPort) throws IOException
    {
        switch (transport)
        {
            case SHM_SPIN, SHM_BLOCKING ->
            {
                final ShmSocket socket = ShmSocket.connect(transport.equals(SHM_SPIN) ? spin : blocking, "echo");
                return new Connection(socket.getInputStream(), socket.getOutputStream(), socket);
            }
            case UDS ->
            {
                final SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(udsPath(directory)));
                return new Connection(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
            }
            default ->
            {
                final Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort);
                socket.setTcpNoDelay(true);
                return new Connection(socket.getInputStream(), socket.getOutputStream(), socket);
            }
        }
    }

    private static Path udsPath(final Path directory)
    {
        return directory.resolve("echo.sock");
    }

    /** The echo side: one server per transport, one thread per connection, echoing until end of stream. */
    private static void echo(final Path directory) throws IOException
    {
        final ShmRegistry spin = ShmRegistry.open(directory.resolve("spin"),
            new ShmRegistry.Options().readerWait(ReaderWait.busySpin()));
        final ShmRegistry blocking = ShmRegistry.open(directory.resolve("blocking"));
        final ShmServerSocket spinServer = ShmServerSocket.bind(spin, "echo");
        final ShmServerSocket blockingServer = ShmServerSocket.bind(blocking, "echo");
        final ServerSocketChannel uds = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        uds.bind(UnixDomainSocketAddress.of(udsPath(directory)));
        final ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(() -> acceptLoop(() ->
        {
            final ShmSocket s = spinServer.accept();
            return new Connection(s.getInputStream(), s.getOutputStream(), s);
        }));
        daemon(() -> acceptLoop(() ->
        {
            final ShmSocket s = blockingServer.accept();
            return new Connection(s.getInputStream(), s.getOutputStream(), s);
        }));
        daemon(() -> acceptLoop(() ->
        {
            final SocketChannel c = uds.accept();
            return new Connection(Channels.newInputStream(c), Channels.newOutputStream(c), c);
        }));
        daemon(() -> acceptLoop(() ->
        {
            final Socket s = tcp.accept();
            s.setTcpNoDelay(true);
            return new Connection(s.getInputStream(), s.getOutputStream(), s);
        }));
        System.out.println("READY " + ((InetSocketAddress)tcp.getLocalSocketAddress()).getPort());
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // runs until the parent goes
        }
        System.exit(0);
    }

    private interface Acceptor
    {
        Connection accept() throws IOException;
    }

    private static void acceptLoop(final Acceptor acceptor)
    {
        while (true)
        {
            try
            {
                final Connection connection = acceptor.accept();
                daemon(() -> echoUntilEnd(connection));
            }
            catch (final IOException ex)
            {
                System.out.println("accept failed: " + ex);
                return;
            }
        }
    }

    private static void echoUntilEnd(final Connection connection)
    {
        try (connection)
        {
            final byte[] buffer = new byte[128 * 1024];
            int read;
            while ((read = connection.in.read(buffer)) >= 0)
            {
                connection.out.write(buffer, 0, read);
            }
        }
        catch (final IOException ex)
        {
            // the parent closed mid-exchange: nothing to echo any more
        }
    }

    private static void daemon(final Runnable task)
    {
        final Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
    }

    static void deleteTree(final Path directory) throws IOException
    {
        try (var paths = Files.walk(directory))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Streams of one connection, whatever the transport. */
    static final class Connection implements AutoCloseable
    {
        final InputStream in;
        final OutputStream out;
        private final AutoCloseable resource;

        Connection(final InputStream in, final OutputStream out, final AutoCloseable resource)
        {
            this.in = in;
            this.out = out;
            this.resource = resource;
        }

        @Override
        public void close() throws IOException
        {
            try
            {
                resource.close();
            }
            catch (final IOException ex)
            {
                throw ex;
            }
            catch (final Exception ex)
            {
                throw new IOException(ex);
            }
        }
    }
}
