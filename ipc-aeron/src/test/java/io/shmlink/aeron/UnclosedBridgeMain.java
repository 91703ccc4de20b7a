package io.shmlink.aeron;

import io.shmlink.shm.ShmRegistry;

import java.nio.file.Path;

/**
 * Child JVM: starts an inbound bridge and returns from main without closing it or the registry. Args: registry-dir
 * aeron-uri. Prints {@code BRIDGE UP}; the JVM must then exit by itself.
 */
public final class UnclosedBridgeMain
{
    private UnclosedBridgeMain()
    {
    }

    public static void main(final String[] args)
    {
        final AeronBridge bridge = AeronBridge.inbound(args[1], 5, ShmRegistry.open(Path.of(args[0])), "dst");
        System.out.println("BRIDGE UP " + bridge.isRunning());
    }
}
