package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.Publisher;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What {@link ShmRegistry#delete} does to a channel's file and to the parties attached to it.
 */
class ChannelDeleteTest
{
    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-channel-delete-test-").withChannel("chan", ChannelConfig.spsc(8192));


    @Test
    void deleteRemovesTheFileAndAttachedPartiesGetClosedOrAnExceptionNotACrash()
    {
        final Publisher publisher = shm.registry().publisher("chan");
        final Subscriber subscriber = shm.registry().subscriber("chan");
        assertTrue(shm.registry().delete("chan"));
        assertFalse(Files.exists(shm.channelFile()));
        assertEquals(Publisher.CLOSED, publisher.offer(new UnsafeBuffer(new byte[4]), 0, 4));
        final ChannelNotFoundException ex = assertThrows(ChannelNotFoundException.class,
            () -> subscriber.poll((buffer, offset, length) -> fail("nothing was sent"), 10));
        assertTrue(ex.getMessage().contains("deleted"), ex.getMessage());
        assertFalse(shm.registry().delete("chan"));
        assertThrows(ChannelNotFoundException.class, () -> shm.registry().publisher("chan"));
    }
}
