package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parties, positions and counters a channel's {@link ChannelInfo} reports.
 */
class ChannelStatisticsTest
{
    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-channel-statistics-test-");

    @Test
    void channelInfoShowsPartiesPositionsAndCounters()
    {
        shm.registry().create("stats", new ChannelConfig(io.shmlink.api.ChannelMode.SPSC, 4096, 100));
        final Publisher publisher = shm.registry().publisher("stats");
        final ShmSubscriber subscriber = shm.registry().subscriber("stats");
        final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
        int sent = 0;
        while (publisher.offer(message, 0, 100) > 0)
        {
            sent++;
        }
        assertEquals(Publisher.BACK_PRESSURED, publisher.offer(message, 0, 100));
        assertEquals(3, subscriber.poll((b, o, l) -> {}, 3));
        subscriber.keepAlive(); // counters are published with the heartbeat
        final ChannelInfo info = shm.registry().lookup("stats").orElseThrow();
        assertEquals(ProcessHandle.current().pid(), info.subscriber().pid());
        assertTrue(info.subscriber().alive());
        assertEquals(1, info.publishers().size());
        assertTrue(info.publishers().get(0).alive());
        assertTrue(info.publishers().get(0).lastHeartbeatMillis() > System.currentTimeMillis() - 60_000);
        final long record = RecordDescriptor.recordLength(100);
        assertEquals(sent * record, info.publisherPosition());
        assertEquals(3 * record, info.subscriberPosition());
        assertEquals((sent - 3) * record, info.backlogBytes());
        assertEquals(3, info.messages());
        assertEquals(300, info.bytes());
        assertEquals(2, info.backPressureEvents(), "every refused offer");
        assertEquals(1, info.backPressureEpisodes(), "two refusals in a row are one episode");
        assertEquals(0, info.lostClaims());
        // the poll made room: a send goes through, ending the episode; the next refusal starts another
        assertTrue(publisher.offer(message, 0, 100) > 0);
        while (publisher.offer(message, 0, 100) > 0)
        {
            sent++;
        }
        assertEquals(Publisher.BACK_PRESSURED, publisher.offer(message, 0, 100));
        final ChannelInfo later = shm.registry().lookup("stats").orElseThrow();
        assertEquals(4, later.backPressureEvents());
        assertEquals(2, later.backPressureEpisodes());
        subscriber.close();
        assertNull(shm.registry().lookup("stats").orElseThrow().subscriber(), "a closed subscriber is not listed");
    }
}
