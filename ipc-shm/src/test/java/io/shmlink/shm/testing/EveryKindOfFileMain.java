package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.segment.CreationCrashes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM: makes every kind of file and directory the library makes, in an owner-only registry
 * {@code BASE/own/a/registry} and one shared with a group, {@code BASE/shared/a/registry} (their parents created
 * by the library too): a channel, an alive file (a publisher), a doorbell socket (a subscriber that sleeps once),
 * and in the shared one the temporary file of a creation, at which it halts (exit 137) as a {@code kill -9} would,
 * so that everything stays for the parent to look at. Prints {@code UMASK <octal>} first, from
 * {@code /proc/self/status}, and {@code PREPARED} before it halts. Args: BASE GROUP
 */
public final class EveryKindOfFileMain
{
    public static void main(final String[] args) throws IOException
    {
        System.out.println(Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(line -> line.startsWith("Umask:")).map(line -> "UMASK " + line.substring(6).trim())
            .findFirst().orElse("UMASK unknown"));
        final Path base = Path.of(args[0]);
        prepare(ShmRegistry.open(base.resolve("own/a/registry"),
            new ShmRegistry.Options().createParentDirectories(true)));
        final ShmRegistry shared = ShmRegistry.open(base.resolve("shared/a/registry"),
            new ShmRegistry.Options().createParentDirectories(true).shareWithGroup(args[1]));
        prepare(shared);
        System.out.println("PREPARED");
        System.out.flush();
        CreationCrashes.haltAt("temp-created");
        shared.create("halted", ChannelConfig.spsc(4096));
        System.out.println("NOT HALTED");
    }

    private static void prepare(final ShmRegistry registry)
    {
        registry.create("chan", ChannelConfig.spsc(4096));
        registry.publisher("chan");
        final ShmSubscriber subscriber = registry.subscriber("chan");
        subscriber.poll((buffer, offset, length) -> {}, 1, 20, TimeUnit.MILLISECONDS); // sleeps on its doorbell
    }
}
