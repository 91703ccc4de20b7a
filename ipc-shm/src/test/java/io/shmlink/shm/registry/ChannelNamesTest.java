package io.shmlink.shm.registry;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channel names every registry call accepts ({@link ChannelNames}): 1 to 64 of {@code [A-Za-z0-9._-]}, not
 * starting with a dot.
 */
class ChannelNamesTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-channel-names-test-");

    @Test
    void invalidNamesAreRefusedWithTheRule()
    {
        for (final String name : new String[]{"../x", "", "a".repeat(65), "a".repeat(5000), "/", "a/b", ".hidden",
            "x\0y", "ü", "日本", " ", "..", "."})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> shm.registry().create(name, ChannelConfig.spsc(4096)));
            assertTrue(ex.getMessage().contains("[A-Za-z0-9._-]"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> shm.registry().lookup(name));
            assertThrows(IllegalArgumentException.class, () -> shm.registry().delete(name));
            assertThrows(IllegalArgumentException.class, () -> shm.registry().publisher(name));
        }
        assertNotNull(shm.registry().create("a".repeat(64), ChannelConfig.spsc(4096)));
        assertNotNull(shm.registry().create("A-b_c.9", ChannelConfig.spsc(4096)));
    }
}
