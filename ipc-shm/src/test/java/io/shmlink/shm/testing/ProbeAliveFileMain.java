package io.shmlink.shm.testing;

import io.shmlink.shm.liveness.AliveFiles;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM: looks at an alive file from another process, as cleanup does, and prints {@code REMOVED} if nobody
 * held its lock (and so removed it), {@code KEPT} if somebody does, {@code ABSENT} if there is no such file.
 * Args: file
 */
public final class ProbeAliveFileMain
{
    public static void main(final String[] args)
    {
        final Path file = Path.of(args[0]);
        System.out.println(AliveFiles.removeIfUnheld(file) ? "REMOVED" : Files.exists(file) ? "KEPT" : "ABSENT");
        System.out.flush();
    }
}
