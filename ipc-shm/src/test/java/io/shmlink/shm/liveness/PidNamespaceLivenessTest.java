package io.shmlink.shm.liveness;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.Publisher;
import io.shmlink.api.ShmLinkException;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.AttachAndWaitMain;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.PidNamespace;
import io.shmlink.shm.testing.TempRegistry;
import io.shmlink.shm.testing.TryAttachMain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parties in two PID namespaces that share {@code /dev/shm}, as containers do: each sees the other's pid as
 * nobody's or as somebody else's, yet live parties keep their slots and dead ones lose them. The child JVMs run
 * under {@code unshare}, so these tests need root; they are skipped, saying why, where namespaces cannot be made.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PidNamespaceLivenessTest
{
    private static final String CHANNEL = "across";

    private static String unavailableBecause;

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-pidns-test-", new ShmRegistry.Options().livenessIntervalMs(10));

    @BeforeAll
    static void checkNamespaces()
    {
        unavailableBecause = PidNamespace.unavailableBecause();
    }

    @BeforeEach
    void setUp()
    {
        assumeTrue(unavailableBecause == null, () -> "no PID namespace for a child JVM: " + unavailableBecause);
        shm.registry().create(CHANNEL, ChannelConfig.spsc(4096));
    }

    @Test
    void aLiveSubscriberInAnotherPidNamespaceKeepsItsSlotFromASecondSubscriberHere() throws Exception
    {
        try (ChildJvm child =
            PidNamespace.start(AttachAndWaitMain.class, shm.directory().toString(), CHANNEL, "subscriber"))
        {
            assertEquals("ATTACHED", child.readLine());

            final ShmLinkException ex = assertThrows(ShmLinkException.class, () -> shm.registry().subscriber(CHANNEL),
                "the slot of a live subscriber in another namespace was taken");
            assertTrue(ex.getMessage().contains("already has a live subscriber: pid 1;"), ex.getMessage());
            assertTrue(shm.registry().lookup(CHANNEL).orElseThrow().subscriber().alive());
        }
    }

    /**
     * Each child is pid 1 of its namespace, so a child started while another still lives (as the next test's may be,
     * just after this one's close) must not meet that one's files: its first line is still its own.
     */
    @Test
    void aPublisherInOneMorePidNamespaceAttachesWhileTheSubscriberInItsOwnLives() throws Exception
    {
        try (ChildJvm subscriber =
            PidNamespace.start(AttachAndWaitMain.class, shm.directory().toString(), CHANNEL, "subscriber"))
        {
            assertEquals("ATTACHED", subscriber.readLine());
            try (ChildJvm publisher =
                PidNamespace.start(AttachAndWaitMain.class, shm.directory().toString(), CHANNEL, "publisher"))
            {
                assertEquals("ATTACHED", publisher.readLine(), "the publisher's first line");
                final ChannelInfo info = shm.registry().lookup(CHANNEL).orElseThrow();
                assertEquals(1, info.publishers().size());
                assertTrue(info.subscriber().alive());
            }
        }
    }

    @Test
    void aPublisherStaysConnectedToALiveSubscriberInAnotherPidNamespaceAcrossLivenessTicks() throws Exception
    {
        try (ChildJvm child =
            PidNamespace.start(AttachAndWaitMain.class, shm.directory().toString(), CHANNEL, "subscriber"))
        {
            assertEquals("ATTACHED", child.readLine());
            final ShmPublisher publisher = shm.registry().publisher(CHANNEL);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);

            // Each tick refreshes the publisher's heartbeat before it checks the subscriber; with ticks 10 ms
            // apart, three heartbeats newer than the attach's mean two whole checks have run since.
            long heartbeat = heartbeatOf(publisher);
            int ticks = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ticks < 3)
            {
                assertTrue(System.nanoTime() - deadline < 0, "three liveness ticks within 10 s");
                final long result = publisher.offer(message, 0, message.capacity());
                assertNotEquals(Publisher.NOT_CONNECTED, result, "after " + ticks + " ticks");
                final long next = heartbeatOf(publisher);
                if (next != heartbeat)
                {
                    heartbeat = next;
                    ticks++;
                }
                Thread.onSpinWait();
            }
            assertTrue(publisher.isConnected());
            assertNotEquals(Publisher.NOT_CONNECTED, publisher.offer(message, 0, message.capacity()));
        }
    }

    @Test
    void aSecondSubscriberInAnotherPidNamespaceIsRefusedTheSlotOfALiveSubscriberHere() throws Exception
    {
        try (Subscriber subscriber = shm.registry().subscriber(CHANNEL);
            ChildJvm child = PidNamespace.start(TryAttachMain.class, shm.directory().toString(), CHANNEL, "subscriber"))
        {
            final String line = child.readLine();
            assertTrue(line.startsWith("REFUSED ") && line.contains("already has a live subscriber: pid " +
                ProcessHandle.current().pid() + ";"), line);
        }
    }

    @Test
    void aSubscriberInAnotherPidNamespaceKilledWithSignal9LosesItsSlotWithinTwoSeconds() throws Exception
    {
        try (ChildJvm child =
            PidNamespace.start(AttachAndWaitMain.class, shm.directory().toString(), CHANNEL, "subscriber"))
        {
            assertEquals("ATTACHED", child.readLine());
            assertThrows(ShmLinkException.class, () -> shm.registry().subscriber(CHANNEL), "alive: refused");

            PidNamespace.kill9(child);
        }
        final long killed = System.nanoTime();
        Subscriber successor = null;
        while (successor == null)
        {
            try
            {
                successor = shm.registry().subscriber(CHANNEL);
            }
            catch (final ShmLinkException stillAlive)
            {
                assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(2),
                    "the dead subscriber's slot taken within 2 s: " + stillAlive.getMessage());
                Thread.onSpinWait();
            }
        }
        assertEquals(ProcessHandle.current().pid(), shm.registry().lookup(CHANNEL).orElseThrow().subscriber().pid());
        successor.close();
    }

    private static long heartbeatOf(final ShmPublisher publisher)
    {
        return publisher.channelInfo().publishers().get(0).lastHeartbeatMillis();
    }
}
