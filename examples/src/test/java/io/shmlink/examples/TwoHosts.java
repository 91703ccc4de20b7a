package io.shmlink.examples;

import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JUnit 5 extension for a bridge between two "hosts" on this machine: each test gets two fresh registry
 * directories, A and B, an Aeron URI on a free UDP port of 127.0.0.1, and child JVMs on this test's class path.
 * After each test it kills the children still running, then deletes the directories.
 */
public final class TwoHosts implements BeforeEachCallback, AfterEachCallback
{
    private final TempRegistry a;
    private final TempRegistry b;
    private final List<Process> processes = new ArrayList<>();
    private String uri;

    /**
     * @param prefix of the directories' names, followed by {@code a-} and {@code b-}.
     */
    public TwoHosts(final String prefix)
    {
        a = TempRegistry.directoryOnly(prefix + "a-");
        b = TempRegistry.directoryOnly(prefix + "b-");
    }

    /**
     * @return host A's registry directory.
     */
    public Path dirA()
    {
        return a.directory();
    }

    /**
     * @return host B's registry directory.
     */
    public Path dirB()
    {
        return b.directory();
    }

    /**
     * @return {@code aeron:udp?endpoint=127.0.0.1:PORT}, a port that was free when the test began.
     */
    public String uri()
    {
        return uri;
    }

    /**
     * Starts {@code main} of a class in a child JVM, its standard error inherited.
     *
     * @param main the class.
     * @param args its arguments.
     * @return the running child, killed after the test.
     * @throws IOException if it cannot start.
     */
    public Process java(final Class<?> main, final String... args) throws IOException
    {
        return start(command(main, args).redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /**
     * Starts {@code main} of a class in a child JVM, its standard error merged into its standard output.
     *
     * @param main the class.
     * @param args its arguments.
     * @return the running child, killed after the test.
     * @throws IOException if it cannot start.
     */
    public Process javaMergingErrors(final Class<?> main, final String... args) throws IOException
    {
        return start(command(main, args).redirectErrorStream(true));
    }

    private static ProcessBuilder command(final Class<?> main, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx128m",
            "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private Process start(final ProcessBuilder builder) throws IOException
    {
        final Process process = builder.start();
        processes.add(process);
        return process;
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws Exception
    {
        a.beforeEach(context);
        b.beforeEach(context);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            uri = "aeron:udp?endpoint=127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        try
        {
            for (final Process process : processes)
            {
                process.destroyForcibly().waitFor();
            }
        }
        finally
        {
            try
            {
                a.afterEach(context);
            }
            finally
            {
                b.afterEach(context);
            }
        }
    }
}
