package io.shmlink.shm.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The test kit's users go at the end whatever the test did: with a child of theirs still running, on a thread a
 * JUnit timeout interrupted, and, if a JVM was killed before its cleanup, when the next set is made.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OtherUsersTest
{
    /** A child that runs until its standard input closes or it is killed. */
    public static final class UntilKilledMain
    {
        private UntilKilledMain()
        {
        }

        /**
         * Prints {@code READY} and waits on standard input.
         *
         * @param args none.
         * @throws IOException never expected.
         */
        public static void main(final String[] args) throws IOException
        {
            System.out.println("READY");
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void usersAndGroupsGoOnAnInterruptedThreadWithTheirChildStillRunning() throws Exception
    {
        final String unavailable = OtherUsers.unavailableBecause();
        assumeTrue(unavailable == null, unavailable);
        final String group;
        final String user;
        final ChildJvm child;
        try (OtherUsers users = OtherUsers.create())
        {
            group = users.group("g");
            user = users.user("u", group);
            child = users.start(user, group, UntilKilledMain.class);
            assertEquals("READY", child.readLine());
            Thread.currentThread().interrupt(); // as a JUnit timeout leaves the test thread
        }
        finally
        {
            assertTrue(Thread.interrupted(), "the interrupt is kept for the test (and cleared here)");
        }
        assertFalse(child.isAlive(), "the child was killed and reaped");
        assertFalse(names("/etc/passwd").contains(user), user + " removed");
        assertFalse(names("/etc/group").contains(group), group + " removed");
    }

    @Test
    void accountsAJvmThatIsGoneLeftAreRemovedWhenTheNextSetIsMade() throws Exception
    {
        final String unavailable = OtherUsers.unavailableBecause();
        assumeTrue(unavailable == null, unavailable);
        final Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        final String leftOver = "shlt" + Long.toHexString(gone.pid()) + "x0ffg";
        final String live = "shlt" + Long.toHexString(ProcessHandle.current().pid()) + "x0ffg";
        run("groupadd", "--system", leftOver);
        run("groupadd", "--system", live);
        try
        {
            OtherUsers.create().close();
            assertFalse(names("/etc/group").contains(leftOver), "a gone JVM's group removed");
            assertTrue(names("/etc/group").contains(live), "a live JVM's group kept");
        }
        finally
        {
            run("groupdel", live);
            if (names("/etc/group").contains(leftOver))
            {
                run("groupdel", leftOver);
            }
        }
    }

    private static List<String> names(final String file) throws IOException
    {
        return Files.readAllLines(Path.of(file)).stream().map(line -> line.split(":", 2)[0]).toList();
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }
}
