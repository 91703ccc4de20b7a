package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.testing.ShmTestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A symbolic link under a channel's name is not followed: in a directory shared with a group, a member could
 * otherwise make another user map a file of the link's choosing.
 */
class ChannelLinkTest
{
    private Path directory;
    private Path elsewhere;

    @BeforeEach
    void setUp() throws IOException
    {
        directory = ShmTestDirectory.create("channel-link");
        elsewhere = ShmTestDirectory.create("channel-link-target");
        try (ShmRegistry other = ShmRegistry.open(elsewhere))
        {
            other.create("real", ChannelConfig.spsc(64 * 1024)); // a valid channel: validation alone would pass it
        }
        Files.createSymbolicLink(directory.resolve("chan"), elsewhere.resolve("real"));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        ShmTestDirectory.delete(directory);
        ShmTestDirectory.delete(elsewhere);
    }

    @Test
    void aSubscriberDoesNotAttachThroughALinkedChannelName()
    {
        try (ShmRegistry registry = ShmRegistry.open(directory))
        {
            final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> registry.subscriber("chan"));
            assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        }
    }

    @Test
    void aPublisherDoesNotAttachThroughALinkedChannelName()
    {
        try (ShmRegistry registry = ShmRegistry.open(directory))
        {
            final ShmLinkException refused = assertThrows(ShmLinkException.class, () -> registry.publisher("chan"));
            assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        }
    }
}
