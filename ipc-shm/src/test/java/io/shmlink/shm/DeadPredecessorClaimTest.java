package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.Publisher;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.ClaimAndHaltMain;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A publisher that dies mid-claim and whose slot is then taken, used and left by others before the subscriber
 * comes to the claim: the claim must not be held for good, though nobody can name its claimer by then.
 */
class DeadPredecessorClaimTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-dead-predecessor-test-",
        new ShmRegistry.Options().claimTimeout(Duration.ofMillis(100)));

    @Test
    void anSpscPublisherThatTakesADeadOnesSlotLetsGoOfItsClaimSoTheChannelNeverWedges() throws Exception
    {
        shm.registry().create("chan", new ChannelConfig(ChannelMode.SPSC, 4096, 512));
        try (ChildJvm child = ChildJvm.start(ClaimAndHaltMain.class, shm.directory().toString(), "chan", "3", "7"))
        {
            assertEquals("CLAIMED", child.readLine());
            assertEquals(0, child.waitFor(30));                 // dead between claim and commit
        }
        final Publisher successor = shm.registry().publisher("chan");  // takes slot 0 from the dead
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertTrue(successor.offer(message, 0, 8) > 0);
        successor.close();                                       // the slot's next holder leaves in turn
        final Publisher third = shm.registry().publisher("chan");

        final ShmSubscriber subscriber = shm.registry().subscriber("chan");
        long delivered = 0;
        long sent = 1;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sent < 2_000)                                     // many laps of the 4 KiB ring
        {
            assertTrue(System.nanoTime() < deadline, "wedged after " + sent + " messages, " + delivered + " read");
            if (third.offer(message, 0, 8) > 0)
            {
                sent++;
            }
            delivered += subscriber.poll((buffer, offset, length) -> {}, 100);
        }
        while (delivered < 3 + sent)
        {
            assertTrue(System.nanoTime() < deadline, "undelivered: " + delivered + " of " + (3 + sent));
            delivered += subscriber.poll((buffer, offset, length) -> {}, 100);
        }
        assertEquals(3 + sent, delivered, "the dead publisher's 3 committed messages and every later one");
        assertEquals(1, subscriber.lostClaims(), "the dead claim, counted once");
    }
}
