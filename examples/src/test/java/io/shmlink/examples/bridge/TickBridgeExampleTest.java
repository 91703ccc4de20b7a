package io.shmlink.examples.bridge;

import io.shmlink.examples.TwoHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge example as two "hosts": TickSender and TickReceiver in their own JVMs and registry directories,
 * linked over UDP on 127.0.0.1.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TickBridgeExampleTest
{
    @RegisterExtension
    final TwoHosts hosts = new TwoHosts("ticks-");

    @Test
    void tenThousandTicksCrossFromOneRegistryToTheOtherInOrder() throws Exception
    {
        final Process receiver =
            hosts.javaMergingErrors(TickReceiver.class, hosts.dirB().toString(), hosts.uri(), "10000");
        final Process sender =
            hosts.javaMergingErrors(TickSender.class, hosts.dirA().toString(), hosts.uri(), "10000");

        assertTrue(receiver.waitFor(60, TimeUnit.SECONDS), "receiver did not finish");
        final String received = new String(receiver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, receiver.exitValue(), received);
        assertTrue(received.contains("received 10000 ticks in order"), received);

        assertTrue(sender.waitFor(60, TimeUnit.SECONDS), "sender did not finish");
        final String sent = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, sender.exitValue(), sent);
        assertTrue(sent.contains("bridge forwarded 10000 ticks"), sent);
    }
}
