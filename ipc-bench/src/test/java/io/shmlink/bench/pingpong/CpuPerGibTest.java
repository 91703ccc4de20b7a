package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuPerGibTest
{
    private static final long GIB = 1L << 30;

    /** A tenth of a second, in ticks: what the burning child uses before it says so. */
    private static final long BURN_TICKS = CpuPerGib.TICKS_PER_SECOND / 10;

    /**
     * A bash child that reads its own {@code utime + stime} (fields 14 and 15 of its stat line) with builtins only,
     * in a loop, until they reach {@value #BURN_TICKS}, then says so and waits for its input to close.
     */
    private static final String BURN = "while :; do read -r -a f < /proc/$$/stat; " +
        "[ $((f[13] + f[14])) -ge " + BURN_TICKS + " ] && break; done; echo ready; read -r x";

    /** One that says so at once. */
    private static final String IDLE = "echo ready; read -r x";

    @Test
    void aChildThatBurnsCpuShowsAtLeastThatMuchAndMoreThanOneThatSleeps() throws IOException
    {
        assumeTrue(Files.isReadable(PageFaults.PROCESS), "no /proc here");

        final long burnt = ticksOfChildOnceReady(BURN);
        final long idle = ticksOfChildOnceReady(IDLE);

        assertTrue(burnt >= BURN_TICKS, "the burning child used " + burnt + " ticks");
        assertTrue(idle < burnt, "the idle child used " + idle + " ticks, the burning one " + burnt);
    }

    @Test
    void secondsPerGibDivideTheWindowsTicksByTheWindowsBytes()
    {
        final CpuPerGib cpu = new CpuPerGib(2);

        cpu.add(1, GIB / 2, 30, 10);
        cpu.add(1, GIB / 2, 20, 15);

        assertEquals(0.5, cpu.secondsPerGib(1, CpuPerGib.SENDER), 1e-12);
        assertEquals(0.25, cpu.secondsPerGib(1, CpuPerGib.SINK), 1e-12);
        assertEquals(50, cpu.ticks(1, CpuPerGib.SENDER));
    }

    @Test
    void oneUnknownWindowMakesThatSidesFigureUnknown()
    {
        final CpuPerGib cpu = new CpuPerGib(1);

        cpu.add(0, GIB, 10, 10);
        cpu.add(0, GIB, -1, 10);

        assertEquals(-1, cpu.secondsPerGib(0, CpuPerGib.SENDER));
        assertEquals(0.1, cpu.secondsPerGib(0, CpuPerGib.SINK), 1e-12);
    }

    @Test
    void aContenderWithNothingMeasuredHasNoFigure()
    {
        assertEquals(-1, new CpuPerGib(1).secondsPerGib(0, CpuPerGib.SINK));
    }

    @Test
    void theSinksWindowStartsAtTheBurstsFirstMessage()
    {
        assumeTrue(Files.isReadable(PageFaults.PROCESS), "no /proc here");
        final int length = 64;
        final Payload payload = new Payload(length);
        try (BurstSink sink = new BurstSink(length);
            PageFaults process = PageFaults.open(PageFaults.PROCESS))
        {
            burn(process); // after the previous acknowledgement (here: none) and before the burst: not counted
            sink.onMessage(payload.stamp(1, false), 0, length);
            sink.onMessage(payload.stamp(2, true), 0, length);
            final long before = new Acknowledgement().read(sink.acknowledgement(), 0).cpuTicks();

            sink.onMessage(payload.stamp(3, false), 0, length);
            burn(process); // within the burst: counted
            sink.onMessage(payload.stamp(4, true), 0, length);
            final long within = new Acknowledgement().read(sink.acknowledgement(), 0).cpuTicks();

            assertTrue(before >= 0 && before < BURN_TICKS, "CPU burnt before the burst counted: " + before);
            assertTrue(within >= BURN_TICKS, "CPU burnt within the burst was not counted: " + within);
        }
    }

    /** Uses this process's CPU until it has used {@value #BURN_TICKS} more ticks. */
    private static void burn(final PageFaults process)
    {
        final long until = process.sample().cpuTicks() + BURN_TICKS;
        while (process.sample().cpuTicks() < until)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Starts a bash child running {@code script}, waits for its "ready" line, reads its CPU ticks through
     * {@link PageFaults}, then closes its input so that it exits.
     */
    private static long ticksOfChildOnceReady(final String script) throws IOException
    {
        final Process child = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        try (BufferedReader output =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
        {
            assertEquals("ready", output.readLine());
            try (PageFaults stat = PageFaults.open(Path.of("/proc/" + child.pid() + "/stat")))
            {
                return stat.sample().cpuTicks();
            }
        }
        finally
        {
            child.getOutputStream().close();
            child.destroy();
        }
    }
}
