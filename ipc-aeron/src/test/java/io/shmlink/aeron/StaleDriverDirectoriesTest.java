package io.shmlink.aeron;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.PidNamespace;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An embedded driver's directory, {@code .aeron-<token>-<n>}, is stale exactly when the process its token names is
 * dead, judged as ShmLink judges a channel's parties: a reused pid does not keep it, and a live bridge in another
 * PID namespace (a container sharing the directory) does.
 */
class StaleDriverDirectoriesTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("aeron-stale-");

    @Test
    void aDirectoryOfAnEarlierProcessWithThisPidIsStaleAndARunningBridgesIsNot() throws Exception
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory());
            AeronBridge bridge = AeronBridge.inbound(TestMessages.udp(TestMessages.freeUdpPort()), 5, registry, "dst"))
        {
            final Path running = bridge.embeddedDriverDirectory();
            assertTrue(running.getFileName().toString().startsWith(
                String.format(".aeron-%016x-", ProcessToken.SELF)), running.toString());
            // this pid, another start time: the process that had this pid before, now dead
            final Path earlier = Files.createDirectory(shm.directory().resolve(
                AeronBridge.driverDirectoryName(ProcessToken.SELF ^ 1, 1)));

            assertEquals(List.of(earlier), AeronBridge.cleanStaleDrivers(shm.directory()));
            assertFalse(Files.exists(earlier));
            assertTrue(Files.isDirectory(running), "a running bridge's directory was removed");
        }
    }

    @Test
    void aBridgeInAnotherPidNamespaceKeepsItsDirectoryWhileItLivesAndLosesItWhenKilled() throws Exception
    {
        final String unavailable = PidNamespace.unavailableBecause();
        assumeTrue(unavailable == null, () -> "no PID namespace for a child JVM: " + unavailable);
        // this JVM opens no registry on the directory: the cleaner must look at its alive files by itself
        try (ChildJvm bridge = PidNamespace.start(BridgeMain.class,
            "in", shm.directory().toString(), "dst", TestMessages.udp(TestMessages.freeUdpPort()), "5"))
        {
            final Path driver = Path.of(bridge.awaitLine("BRIDGE UP ").substring("BRIDGE UP ".length()));
            assertTrue(Files.isDirectory(driver), driver.toString());
            // pid 1 of its namespace: a pid that means another process here, or none
            assertEquals(1, ProcessToken.pid(Long.parseUnsignedLong(
                driver.getFileName().toString().substring(".aeron-".length(), ".aeron-".length() + 16), 16)));

            assertEquals(List.of(), AeronBridge.cleanStaleDrivers(shm.directory()),
                "a live bridge's directory taken for stale");
            assertTrue(Files.isDirectory(driver));

            PidNamespace.kill9(bridge);
            assertEquals(List.of(driver), AeronBridge.cleanStaleDrivers(shm.directory()));
            assertFalse(Files.exists(driver));
        }
    }

    @Test
    void aDirectoryNamedByPidIsKeptWhileABridgeWithThatPidLivesInAnotherPidNamespace() throws Exception
    {
        final String unavailable = PidNamespace.unavailableBecause();
        assumeTrue(unavailable == null, () -> "no PID namespace for a child JVM: " + unavailable);
        final long pid = deadPidHere();
        // the namespace's next pid is set so that its JVM gets one that no process here has: a shell is pid 1
        // there, and the JVM, not exec'd, is the next
        final List<String> launcher = new ArrayList<>(PidNamespace.UNSHARE);
        launcher.addAll(List.of("sh", "-c", "echo $0 > /proc/sys/kernel/ns_last_pid && \"$@\"; exit $?",
            Long.toString(pid - 1)));
        try (ChildJvm bridge = ChildJvm.startUnder(launcher, PidNamespace.JVM_OPTIONS, BridgeMain.class,
            "in", shm.directory().toString(), "dst", TestMessages.udp(TestMessages.freeUdpPort()), "5"))
        {
            final Path driver = Path.of(bridge.awaitLine("BRIDGE UP ").substring("BRIDGE UP ".length()));
            assertEquals(pid, ProcessToken.pid(Long.parseUnsignedLong(
                driver.getFileName().toString().substring(".aeron-".length(), ".aeron-".length() + 16), 16)));
            // as a bridge of the older naming would have called its directory
            final Path byPid = Files.createDirectory(shm.directory().resolve(".aeron-" + pid + "-1"));
            Files.setLastModifiedTime(byPid, FileTime.fromMillis(System.currentTimeMillis() - 120_000));

            assertEquals(List.of(), AeronBridge.cleanStaleDrivers(shm.directory()),
                "a live bridge's directory taken for stale because its pid is dead here");
            assertTrue(Files.isDirectory(byPid));

            PidNamespace.kill9(bridge);
            assertEquals(Set.of(byPid, driver), Set.copyOf(AeronBridge.cleanStaleDrivers(shm.directory())));
            assertFalse(Files.exists(byPid));
        }
    }

    @Test
    void aYoungDirectoryNamedByADeadPidIsKeptUntilItsStartUpHasPassed() throws Exception
    {
        // a bridge of the pid naming made its driver's directory before its alive file: while young, it may be one
        // starting in another PID namespace
        final Path young = Files.createDirectory(shm.directory().resolve(".aeron-" + deadPidHere() + "-1"));

        assertEquals(List.of(), AeronBridge.cleanStaleDrivers(shm.directory()), "a starting bridge's directory");
        assertTrue(Files.isDirectory(young));

        Files.setLastModifiedTime(young, FileTime.fromMillis(
            System.currentTimeMillis() - AeronBridge.PID_DRIVER_DIR_START_UP_MILLIS - 1_000));
        assertEquals(List.of(young), AeronBridge.cleanStaleDrivers(shm.directory()));
        assertFalse(Files.exists(young));
    }

    /** A pid that no process of this namespace has, below {@code pid_max}. */
    private static long deadPidHere() throws Exception
    {
        final long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
        for (long pid = max - 1; pid > 1; pid--)
        {
            if (ProcessHandle.of(pid).isEmpty())
            {
                return pid;
            }
        }
        throw new AssertionError("every pid below " + max + " is taken");
    }
}
