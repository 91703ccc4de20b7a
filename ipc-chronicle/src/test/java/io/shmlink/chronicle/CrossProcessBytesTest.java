package io.shmlink.chronicle;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A million twelve-field orders each way between this JVM and a child JVM, every field of every order checked
 * on the receiving side. Each marshallable offer claims the channel maximum and commits less; the maximum is
 * 256 bytes, not the default capacity / 8, so that a 64 KiB ring holds some 240 claims rather than 7 and the run
 * does not crawl on a loaded host (1.7 s each way idle; with the default shape, 32 s at a load average of 7).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrossProcessBytesTest
{
    private static final int ORDERS = 1_000_000;
    private static final ChannelConfig CHANNEL = new ChannelConfig(ChannelMode.SPSC, 1 << 16, 256);

    /** The child needs Chronicle's flags as this JVM does (ChildJvm adds ShmLink's own). */
    static final List<String> CHRONICLE_FLAGS = List.of(
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-chronicle-test-");

    /** A child JVM with Chronicle's flags whose {@link OrderStreamMain} plays {@code role} for the orders. */
    private ChildJvm orderStream(final String role, final String channel) throws IOException
    {
        return ChildJvm.start(CHRONICLE_FLAGS, OrderStreamMain.class, role, shm.directory().toString(), channel,
            Integer.toString(ORDERS));
    }

    @Test
    void aChildPublishesAMillionOrdersAndTheParentChecksEveryField() throws Exception
    {
        shm.registry().create("c2p", CHANNEL);
        try (BytesSubscriber subscriber = new BytesSubscriber(shm.registry().subscriber("c2p"));
            ChildJvm child = orderStream("publish", "c2p"))
        {
            assertNull(OrderStreamMain.verify(subscriber, ORDERS));
            assertEquals("DONE", child.awaitLine("DONE"));
            assertEquals(0, child.waitFor(30));
            assertEquals(0, subscriber.poll(bytes ->
            {
                throw new AssertionError("nothing after the last");
            }, 10));
        }
    }

    @Test
    void theParentPublishesAMillionOrdersAndAChildChecksEveryField() throws Exception
    {
        shm.registry().create("p2c", CHANNEL);
        try (BytesPublisher publisher = new BytesPublisher(shm.registry().publisher("p2c"));
            ChildJvm child = orderStream("verify", "p2c"))
        {
            assertEquals("ATTACHED", child.readLine());
            OrderStreamMain.publish(publisher, ORDERS);
            assertEquals("OK " + ORDERS, child.readLine());
            assertEquals(0, child.waitFor(30));
        }
    }

    @Test
    void aJvmWithoutChroniclesFlagsIsToldWhichToAdd() throws Exception
    {
        shm.registry().create("flags", ChannelConfig.spsc(1 << 12));
        try (ChildJvm child = ChildJvm.start(OrderStreamMain.class, "verify", shm.directory().toString(), "flags", "1"))
        {
            final String refusal = child.awaitLine("REFUSED");
            assertTrue(refusal.contains("--add-opens java.base/java.lang.reflect=ALL-UNNAMED") &&
                refusal.contains("--add-exports java.base/sun.nio.ch=ALL-UNNAMED"), refusal);
            assertEquals(1, child.waitFor(30));
        }
    }
}
