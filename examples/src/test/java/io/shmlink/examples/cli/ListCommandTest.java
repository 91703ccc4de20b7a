package io.shmlink.examples.cli;

import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.PartyInfo;
import io.shmlink.api.SubscriberInfo;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SUBSCRIBER cell that {@code list} and {@code stat --watch} print, for states that the *IT tests cannot make
 * cheaply (a dead fan-out subscriber needs a process killed while attached).
 */
class ListCommandTest
{
    private static final PartyInfo ALIVE = new PartyInfo(100, true, 1);
    private static final PartyInfo DEAD = new PartyInfo(101, false, 1);

    @Test
    void aQueueShowsItsSubscribersStateOrNone()
    {
        assertEquals("alive", ListCommand.subscriberState(queue(ALIVE)));
        assertEquals("dead", ListCommand.subscriberState(queue(DEAD)));
        assertEquals("none", ListCommand.subscriberState(queue(null)));
    }

    @Test
    void aFanOutChannelShowsSubscribersAttachedOutOfTheMost()
    {
        assertEquals("0/3", ListCommand.subscriberState(fanOut(3)));
        assertEquals("2/3", ListCommand.subscriberState(fanOut(3, subscriber(0, true), subscriber(2, true))));
    }

    @Test
    void aFanOutChannelCountsItsDeadSubscribersApart()
    {
        assertEquals("3/64,2-dead", ListCommand.subscriberState(
            fanOut(64, subscriber(0, false), subscriber(1, true), subscriber(5, false))));
    }

    @Test
    void aFanOutChannelCountsItsEvictedSubscribersApartFromTheAttached()
    {
        assertEquals("1/3,1-evicted", ListCommand.subscriberState(fanOut(3, subscriber(0, true),
            new SubscriberInfo(1, 201, true, 1, 0, 4096, 1, true))));
    }

    private static ChannelInfo queue(final PartyInfo subscriber)
    {
        return new ChannelInfo("q", ChannelMode.SPSC, 4096, 512, Path.of("/dev/shm/q"), 1, 0, List.of(), subscriber,
            0, 0, 0, 0, 0, 0, null, 0);
    }

    private static ChannelInfo fanOut(final int maxSubscribers, final SubscriberInfo... subscribers)
    {
        return new ChannelInfo("f", ChannelMode.MPMC, 4096, 512, Path.of("/dev/shm/f"), 1, 0, List.of(), null,
            0, 0, 0, 0, 0, 0, null, 0, maxSubscribers, 5000, List.of(subscribers));
    }

    private static SubscriberInfo subscriber(final int slot, final boolean alive)
    {
        return new SubscriberInfo(slot, 200 + slot, alive, 1, 0, 0, 0);
    }
}
