package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What {@link ShmRegistry#list} lists.
 */
class ChannelListTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-channel-list-test-");

    @BeforeEach
    void setUp()
    {
        shm.registry().create("chan", ChannelConfig.spsc(8192));
    }

    @Test
    void listShowsValidChannelsSortedAndLeavesOutOtherFiles() throws Exception
    {
        shm.registry().create("b-chan", ChannelConfig.mpsc(4096));
        Files.writeString(shm.directory().resolve("not-a-channel"), "hello");
        final var names = shm.registry().list().stream().map(i -> i.name()).toList();
        assertEquals(java.util.List.of("b-chan", "chan"), names);
        assertEquals(io.shmlink.api.ChannelMode.MPSC, shm.registry().lookup("b-chan").orElseThrow().mode());
    }
}
