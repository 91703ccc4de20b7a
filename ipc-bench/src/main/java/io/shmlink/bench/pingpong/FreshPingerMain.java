package io.shmlink.bench.pingpong;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The pinger JVM of a {@code --fresh-jvms} run ({@link FreshJvmRun}): measures one transport for one round, as
 * {@link BenchRun} does in the parent otherwise (its own echo child, the warm-up, the settling round trips, the
 * measured loop), writes a {@link PingerReport}, prints {@value ChildJvm#READY} and exits.
 * <p>
 * It exits as soon as its standard input closes ({@link ChildJvm#exitWithParent}): if the parent ends early, this
 * JVM and, through its own standard input, its echo child end too.
 */
public final class FreshPingerMain
{
    private FreshPingerMain()
    {
    }

    /**
     * Starts a fresh pinger JVM for one measurement.
     *
     * @param report  where the pinger writes its {@link PingerReport}.
     * @param spec    built-in name or class name of the transport.
     * @param options the run's options: message length, warm-up, count and rate.
     * @return the running child; its {@value ChildJvm#READY} line says the report is written.
     * @throws IOException if the JVM cannot be started.
     */
    static ChildJvm start(final Path report, final String spec, final PingPongOptions options) throws IOException
    {
        final List<String> flags;
        try (Transport transport = Transports.create(spec))
        {
            flags = transport.childJvmFlags();
        }
        return ChildJvm.startHarnessChild("fresh pinger", flags, FreshPingerMain.class, List.of(report.toString(),
            spec, Integer.toString(options.messageLength()), Integer.toString(options.count()),
            Integer.toString(options.warmup()), Integer.toString(options.rate())));
    }

    /**
     * Runs the measurement.
     *
     * @param args report file, transport, message length, count, warm-up, rate (0: back to back).
     */
    public static void main(final String[] args)
    {
        if (args.length != 6)
        {
            System.err.println("usage: FreshPingerMain <report file> <transport> <message length> <count> <warmup> " +
                "<rate>");
            System.exit(2);
        }
        ChildJvm.exitWithParent();
        try
        {
            final PingPongOptions options = new PingPongOptions(List.of(args[1]), 1, Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Integer.parseInt(args[2]), null, Integer.parseInt(args[5]), false, null);
            final BenchResult result = BenchRun.run(options, new PrintStream(OutputStream.nullOutputStream()));
            PingerReport.of(result).write(Path.of(args[0]));
            System.out.println(ChildJvm.READY);
            System.out.flush();
        }
        catch (final Exception ex)
        {
            System.err.println("fresh pinger (" + args[1] + ") failed: " + ex);
            ex.printStackTrace();
            System.exit(1);
        }
    }
}
