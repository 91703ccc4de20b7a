package io.shmlink.aeron;

import io.shmlink.shm.ShmRegistry;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child JVM: one bridge with an embedded driver. Args: in|out registry-dir channel aeron-uri stream.
 * Prints {@code BRIDGE UP}; on a line {@code stop} (or end of input) prints its counters and closes.
 */
public final class BridgeMain
{
    private BridgeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final boolean in = args[0].equals("in");
        final int stream = Integer.parseInt(args[4]);
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[1]));
            AeronBridge bridge = in ? AeronBridge.inbound(args[3], stream, registry, args[2]) :
                AeronBridge.outbound(registry, args[2], args[3], stream))
        {
            System.out.println("BRIDGE UP " + bridge.embeddedDriverDirectory());
            final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = stdin.readLine()) != null && !line.equals("stop"))
            {
                System.out.println("FORWARDED " + bridge.messagesForwarded());
            }
            bridge.close(); // joins the bridge's thread: the counters below are final
            System.out.println("FORWARDED " + bridge.messagesForwarded() + " linkUps " + bridge.linkUps() +
                " oversize " + bridge.oversizeDropped() + " backPressure " + bridge.backPressureEvents() +
                " failure " + bridge.failure());
        }
    }
}
