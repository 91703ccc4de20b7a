package io.shmlink.shm.liveness;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The layout of process tokens.
 */
class ProcessTokenTest
{
    private static final long HIGHEST_PID = (1L << ProcessToken.PID_BITS) - 1; // PID_MAX_LIMIT - 1

    @Test
    void aTokenOfTheHighestLinuxPidIsPositiveAndGivesItsPidBack()
    {
        final long token = ProcessToken.of(HIGHEST_PID, -1L, -1L);
        assertTrue(ProcessToken.isAttached(token), Long.toHexString(token));
        assertEquals(HIGHEST_PID, ProcessToken.pid(token));
    }

    @Test
    void oneProcessNumberAndStartTimeInTwoPidNamespacesMakeTwoTokens()
    {
        final long start = System.currentTimeMillis();
        final long here = ProcessToken.of(1, 4026531836L, start);
        final long there = ProcessToken.of(1, 4026531837L, start);
        assertNotEquals(here, there);
        assertEquals(1, ProcessToken.pid(here));
        assertEquals(1, ProcessToken.pid(there));
    }

    @Test
    void selfNamesThisProcessInItsOwnNamespace() throws Exception
    {
        assertEquals(ProcessHandle.current().pid(), ProcessToken.pid(ProcessToken.SELF));
        assertTrue(ProcessToken.isSameNamespace(ProcessToken.SELF));
        assertEquals(ProcessToken.SELF, ProcessToken.of(ProcessHandle.current()));
        final String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // pid:[4026531836]
        final long inode = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        assertEquals(ProcessToken.of(ProcessHandle.current().pid(), inode,
            ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli()), ProcessToken.SELF);
    }

    @Test
    void aTokenFromAnotherNamespaceThatNoRegistryHereKnowsIsDead()
    {
        final long otherNamespace = ProcessToken.of(ProcessHandle.current().pid(),
            (ProcessToken.SELF >>> 32) + 1, ProcessToken.SELF);
        assertFalse(ProcessToken.isSameNamespace(otherNamespace));
        assertFalse(ProcessToken.isAlive(otherNamespace), "this very pid and start, but in another namespace");
        assertTrue(ProcessToken.isAlive(ProcessToken.SELF));
    }
}
