package io.shmlink.examples.bridge;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge example as two "hosts": TickSender and TickReceiver in their own JVMs and registry directories,
 * linked over UDP on 127.0.0.1.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TickBridgeExampleTest
{
    private final List<Path> dirs = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException, InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroyForcibly().waitFor();
        }
        for (final Path dir : dirs)
        {
            try (var files = Files.walk(dir))
            {
                for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private Process java(final Class<?> main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx128m",
            "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return process;
    }

    @Test
    void tenThousandTicksCrossFromOneRegistryToTheOtherInOrder() throws Exception
    {
        final Path hostA = Files.createTempDirectory(Path.of("/dev/shm"), "ticks-a-");
        dirs.add(hostA);
        final Path hostB = Files.createTempDirectory(Path.of("/dev/shm"), "ticks-b-");
        dirs.add(hostB);
        final int port;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            port = socket.getLocalPort();
        }
        final String uri = "aeron:udp?endpoint=127.0.0.1:" + port;
        final Process receiver = java(TickReceiver.class, hostB.toString(), uri, "10000");
        final Process sender = java(TickSender.class, hostA.toString(), uri, "10000");

        assertTrue(receiver.waitFor(60, TimeUnit.SECONDS), "receiver did not finish");
        final String received = new String(receiver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, receiver.exitValue(), received);
        assertTrue(received.contains("received 10000 ticks in order"), received);

        assertTrue(sender.waitFor(60, TimeUnit.SECONDS), "sender did not finish");
        final String sent = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, sender.exitValue(), sent);
        assertTrue(sent.contains("bridge forwarded 10000 ticks"), sent);
    }
}
