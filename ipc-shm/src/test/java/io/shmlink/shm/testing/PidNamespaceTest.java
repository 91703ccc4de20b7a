package io.shmlink.shm.testing;

import io.shmlink.api.ChannelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link PidNamespace}'s children, each pid 1 of a namespace of its own, side by side: what a test that runs one
 * right after another one's close meets when the first has not quite died yet.
 */
class PidNamespaceTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-pidns-kit-test-");

    @Test
    void aChildStartedWhileAnotherIsPidOneOfItsNamespaceSpeaksFirst() throws Exception
    {
        final String unavailable = PidNamespace.unavailableBecause();
        assumeTrue(unavailable == null, () -> "no PID namespace for a child JVM: " + unavailable);
        shm.registry().create("first", ChannelConfig.spsc(4096));
        shm.registry().create("second", ChannelConfig.spsc(4096));
        final String directory = shm.directory().toString();

        try (ChildJvm first = PidNamespace.start(AttachAndWaitMain.class, directory, "first", "subscriber"))
        {
            assertEquals("ATTACHED", first.readLine());
            try (ChildJvm second = PidNamespace.start(AttachAndWaitMain.class, directory, "second", "subscriber"))
            {
                assertEquals("ATTACHED", second.readLine(), "the second child's first line");
            }
        }
    }
}
