package io.shmlink.examples.echo;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.socket.ShmSocket;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The echo programs run as docs/SOCKETS.md runs them, {@code java --add-opens ... -cp target/shmlink.jar CLASS ARGS}:
 * a server JVM, a client JVM, and {@value #CONNECTIONS} connections from this JVM open at once, every echoed byte
 * checked. The ShmLink pair works in a fresh registry directory, which must hold nothing once both ends are gone.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EchoIT
{
    private static final int CONNECTIONS = 8;
    private static final int CLIENT_MESSAGES = 2_000;
    private static final int CLIENT_MESSAGE_SIZE = 100;
    private static final long WAIT_SECONDS = 60;
    /** A missing echo fails the test as a SocketTimeoutException instead of a hang. */
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    /** The last few connections write one chunk larger than a ShmLink connection's 1 MiB ring. */
    private static final int[] CHUNKS = {1, 100, 8192, 65_536, 65_537, 1_500_000};
    private static final String NAME = "echo-it";
    private static final List<String> JVM_FLAGS = List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");
    private static final Pattern ROUND_TRIP =
        Pattern.compile("round trip: p50 [0-9.,]+ us, p99 [0-9.,]+ us, max [0-9.,]+ us");
    private static final Pattern PORT = Pattern.compile("echo server listening on port (\\d+)");

    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("shmlink-echo-it-");
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> outputFiles = new ArrayList<>();

    @AfterEach
    void stopEverything() throws IOException, InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroyForcibly().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        for (final Path file : outputFiles)
        {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theShmServerEchoesEveryByteToManyClientsAtOnceAndLeavesNothingBehind() throws Exception
    {
        final Server server = startServer(EchoServerShm.class, NAME);
        assertEquals("echo server listening on " + NAME, server.awaitLine());
        try (ShmRegistry registry =
            ShmRegistry.open(shm.directory(), new ShmRegistry.Options().staleGrace(Duration.ZERO)))
        {
            final Client client = startClient(EchoClientShm.class, NAME);
            echoOnConcurrentConnections(() -> Ends.of(ShmSocket.connect(registry, NAME)));
            client.assertEchoedEverything();

            // connections leave no names behind: only the server socket's channel and its doorbell remain, and the
            // alive files of the processes that have the registry open
            awaitFiles(files ->
            {
                final List<String> named = files.stream().filter(file -> !file.startsWith(AliveFiles.PREFIX)).toList();
                return named.stream().filter(file -> !file.startsWith(".bell.")).toList().equals(List.of(NAME)) &&
                    named.size() <= 2;
            });
            server.stopAndAssertNoConnectionFailed();
            assertTrue(Files.exists(shm.directory().resolve(NAME)), "a killed server leaves its channel: " + files());
            registry.cleanStale();
            assertEquals(List.of(), files(), "cleanStale removes what the dead server left");
        }
    }

    @Test
    void theTcpServerEchoesEveryByteToManyClientsAtOnce() throws Exception
    {
        final Server server = startServer(EchoServerTcp.class, "0");
        final String listening = server.awaitLine();
        final Matcher port = PORT.matcher(listening);
        assertTrue(port.matches(), listening);
        final Client client = startClient(EchoClientTcp.class, port.group(1));
        echoOnConcurrentConnections(
            () -> Ends.of(new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(port.group(1)))));
        client.assertEchoedEverything();
        server.stopAndAssertNoConnectionFailed();
    }

    /**
     * Opens {@value #CONNECTIONS} connections; each has a first line echoed while all are open (a server that served
     * one client at a time would never answer the second), then streams its own random bytes in chunks from 1 byte
     * to 1.5 MB while reading the echo, shuts its output down, and compares everything up to the end of stream.
     */
    private static void echoOnConcurrentConnections(final Connector connector) throws Exception
    {
        final ExecutorService pool = Executors.newCachedThreadPool();
        try
        {
            final CyclicBarrier allAnswered = new CyclicBarrier(CONNECTIONS);
            final List<Future<?>> connections = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++)
            {
                final int connection = c;
                connections.add(pool.submit(() ->
                {
                    echoOnOneConnection(connector, connection, allAnswered, pool);
                    return null;
                }));
            }
            for (final Future<?> connection : connections)
            {
                connection.get(WAIT_SECONDS * 2, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static void echoOnOneConnection(final Connector connector, final int connection,
        final CyclicBarrier allAnswered, final ExecutorService pool) throws Exception
    {
        final byte[] payload = new byte[1 + connection * 300_000];
        new Random(connection).nextBytes(payload);
        try (Ends ends = connector.connect())
        {
            final byte[] hello = ("hello from connection " + connection + "\n").getBytes(StandardCharsets.US_ASCII);
            ends.out().write(hello);
            assertArrayEquals(hello, ends.in().readNBytes(hello.length), "first echo on connection " + connection);
            allAnswered.await(WAIT_SECONDS, TimeUnit.SECONDS);

            final Future<?> writer = pool.submit(() ->
            {
                for (int offset = 0, chunk = 0; offset < payload.length; chunk++)
                {
                    final int length = Math.min(CHUNKS[chunk % CHUNKS.length], payload.length - offset);
                    ends.out().write(payload, offset, length);
                    offset += length;
                }
                ends.shutdownOutput().run();
                return null;
            });
            final byte[] echoed = ends.in().readAllBytes();
            writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(payload.length, echoed.length, "bytes echoed on connection " + connection);
            assertArrayEquals(payload, echoed, "the echo on connection " + connection);
        }
    }

    /** The CRC32C that EchoClient* must print: the same random messages, as the test sent them. */
    private static long expectedClientCrc()
    {
        final Random random = new Random(42);
        final byte[] message = new byte[CLIENT_MESSAGE_SIZE];
        final CRC32C crc = new CRC32C();
        for (int i = 0; i < CLIENT_MESSAGES; i++)
        {
            random.nextBytes(message);
            crc.update(message);
        }
        return crc.getValue();
    }

    private Server startServer(final Class<?> program, final String address) throws IOException
    {
        final Path err = Files.createTempFile("echo-server-", ".err");
        outputFiles.add(err);
        final Process process = builder(program, address).redirectError(err.toFile()).start();
        processes.add(process);
        return new Server(process, err);
    }

    private Client startClient(final Class<?> program, final String address) throws IOException
    {
        final Path out = Files.createTempFile("echo-client-", ".out");
        final Path err = Files.createTempFile("echo-client-", ".err");
        outputFiles.add(out);
        outputFiles.add(err);
        final Process process = builder(program, address, Integer.toString(CLIENT_MESSAGES),
            Integer.toString(CLIENT_MESSAGE_SIZE)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        processes.add(process);
        return new Client(process, out, err);
    }

    private ProcessBuilder builder(final Class<?> program, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(jar().toString());
        command.add(program.getName());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(Map.of("SHMLINK_DIR", shm.directory().toString()));
        return builder;
    }

    private static Path jar()
    {
        final String jar = System.getProperty("shmlink.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)),
            "system property shmlink.jar names no file (" + jar + "): run through maven-failsafe-plugin after package");
        return Path.of(jar);
    }

    private void awaitFiles(final Predicate<List<String>> condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<String> files;
        while (!condition.test(files = files()))
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("registry directory after " + WAIT_SECONDS + " s: " + files);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** The registry directory's files but this process's alive file, which it holds while its registry is open. */
    private List<String> files()
    {
        final Path own = AliveFiles.path(shm.directory(), ProcessToken.SELF).getFileName();
        try (Stream<Path> list = Files.list(shm.directory()))
        {
            return list.map(Path::getFileName).filter(name -> !name.equals(own)).map(Path::toString).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @FunctionalInterface
    private interface Connector
    {
        Ends connect() throws IOException;
    }

    @FunctionalInterface
    private interface IoAction
    {
        void run() throws IOException;
    }

    /**
     * What the test needs of a socket, whichever kind.
     *
     * @param socket         the socket, closed with the ends.
     * @param in             its input stream.
     * @param out            its output stream.
     * @param shutdownOutput shuts its output down, so the peer reads the end of the stream.
     */
    private record Ends(Closeable socket, InputStream in, OutputStream out, IoAction shutdownOutput)
        implements Closeable
    {
        static Ends of(final Socket socket) throws IOException
        {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new Ends(socket, socket.getInputStream(), socket.getOutputStream(), socket::shutdownOutput);
        }

        static Ends of(final ShmSocket socket)
        {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new Ends(socket, socket.getInputStream(), socket.getOutputStream(), socket::shutdownOutput);
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    /** A server JVM: its stdout read line by line as it comes, its stderr in a file. */
    private static final class Server
    {
        private final Process process;
        private final Path err;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Server(final Process process, final Path err)
        {
            this.process = process;
            this.err = err;
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = out.readLine()) != null)
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ignored)
                {
                    // the process is gone
                }
            }, "echo-server-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        String awaitLine() throws InterruptedException, IOException
        {
            final String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (line == null)
            {
                fail("the server printed nothing in " + WAIT_SECONDS + " s; alive " + process.isAlive() +
                    ", stderr:\n" + Files.readString(err));
            }
            return line;
        }

        /** Stops the server as Ctrl-C would; any connection that ended in an exception shows on its stderr. */
        void stopAndAssertNoConnectionFailed() throws InterruptedException, IOException
        {
            process.destroy();
            assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            assertEquals("", Files.readString(err), "server stderr");
        }
    }

    /**
     * A client JVM with its output in files.
     *
     * @param process the client JVM.
     * @param out     the file of its standard output.
     * @param err     the file of its standard error.
     */
    private record Client(Process process, Path out, Path err)
    {
        void assertEchoedEverything() throws InterruptedException, IOException
        {
            final boolean exited = process.waitFor(WAIT_SECONDS * 2, TimeUnit.SECONDS);
            final String output = Files.readString(out);
            final String report = "stdout:\n" + output + "stderr:\n" + Files.readString(err);
            assertTrue(exited, "the client did not finish; " + report);
            assertEquals(0, process.exitValue(), report);
            final List<String> lines = output.lines().toList();
            assertEquals(2, lines.size(), report);
            assertEquals(String.format("%d echoes of %d bytes, every byte checked, crc32c %08x",
                CLIENT_MESSAGES, CLIENT_MESSAGE_SIZE, expectedClientCrc()), lines.get(0), report);
            assertTrue(ROUND_TRIP.matcher(lines.get(1)).matches(), report);
        }
    }
}
