package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A symbolic link under a channel's name is not followed: in a directory shared with a group, a member could
 * otherwise make another user map a file of the link's choosing.
 */
class ChannelLinkTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.directoryOnly("channel-link");
    @RegisterExtension
    final TempRegistry elsewhere = TempRegistry.directoryOnly("channel-link-target");

    @BeforeEach
    void setUp() throws IOException
    {
        try (ShmRegistry other = ShmRegistry.open(elsewhere.directory()))
        {
            other.create("real", ChannelConfig.spsc(64 * 1024)); // a valid channel: validation alone would pass it
        }
        Files.createSymbolicLink(shm.directory().resolve("chan"), elsewhere.directory().resolve("real"));
    }

    @Test
    void aSubscriberDoesNotAttachThroughALinkedChannelName()
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> registry.subscriber("chan"));
            assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        }
    }

    @Test
    void aPublisherDoesNotAttachThroughALinkedChannelName()
    {
        try (ShmRegistry registry = ShmRegistry.open(shm.directory()))
        {
            final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> registry.publisher("chan"));
            assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        }
    }
}
