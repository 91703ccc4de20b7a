package io.shmlink.bench.socket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM on this JVM's {@code java} and class path, talked to through its standard output: the parent waits
 * for the lines it prints. Used by the socket and wake-up benchmarks for their echoing side.
 */
public final class ChildProcess implements AutoCloseable
{
    private final Process process;
    private final BufferedReader out;

    private ChildProcess(final Process process)
    {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    public static ChildProcess start(final Class<?> main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m",
            "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /**
     * The next line starting with a prefix; other lines are echoed to standard error.
     */
    public String awaitLine(final String prefix) throws IOException
    {
        String line;
        while ((line = out.readLine()) != null)
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
            System.err.println("[child] " + line);
        }
        throw new IOException("child exited (" + exitCodeOrAlive() + ") before printing " + prefix);
    }

    private String exitCodeOrAlive()
    {
        return process.isAlive() ? "alive" : "exit " + process.exitValue();
    }

    public long pid()
    {
        return process.pid();
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
    }
}
