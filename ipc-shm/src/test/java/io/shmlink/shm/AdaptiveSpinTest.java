package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.shm.testing.TempRegistry;
import io.shmlink.shm.wait.ReaderWait;
import io.shmlink.shm.wait.SpinBudget;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber's blocking poll learns from its waits ({@code SpinBudgetTest} has the rule): waits that outlast the
 * policy's spin take the spin away, a poll that does not wait changes nothing, and setting a policy gives its whole
 * spin back.
 */
class AdaptiveSpinTest
{
    private static final MessageHandler IGNORE = (buffer, offset, length) ->
    {
    };

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("spin");

    @Test
    void blockingPollsThatOutlastTheSpinStopSpinning()
    {
        shm.registry().create("paced", ChannelConfig.spsc(64 * 1024));
        final ShmSubscriber subscriber = shm.registry().subscriber("paced");
        assertEquals(ReaderWait.blocking().spinNanos(), subscriber.spinNanos());

        timeOut(subscriber, 7 * SpinBudget.LONG_WAITS_TO_HALVE);

        assertEquals(0, subscriber.spinNanos(), "seven rows of 2 ms waits halved a 100 us spin to nothing");
    }

    @Test
    void aMessageWaitingWhenThePollBeginsTeachesNothing()
    {
        shm.registry().create("ready", ChannelConfig.spsc(64 * 1024));
        final ShmSubscriber subscriber = shm.registry().subscriber("ready");
        final Publisher publisher = shm.registry().publisher("ready");
        timeOut(subscriber, SpinBudget.LONG_WAITS_TO_HALVE);
        assertTrue(publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0);

        assertEquals(1, subscriber.poll(IGNORE, 1, 1, TimeUnit.SECONDS));

        assertEquals(ReaderWait.blocking().spinNanos() / 2, subscriber.spinNanos(), "no wait, so no lesson");
    }

    @Test
    void settingAPolicyRestoresItsWholeSpin()
    {
        shm.registry().create("reset", ChannelConfig.spsc(64 * 1024));
        final ShmSubscriber subscriber = shm.registry().subscriber("reset");
        timeOut(subscriber, SpinBudget.LONG_WAITS_TO_HALVE);
        assertEquals(ReaderWait.blocking().spinNanos() / 2, subscriber.spinNanos());

        subscriber.readerWait(ReaderWait.blocking());

        assertEquals(ReaderWait.blocking().spinNanos(), subscriber.spinNanos());
    }

    private static void timeOut(final ShmSubscriber subscriber, final int polls)
    {
        for (int i = 0; i < polls; i++)
        {
            assertEquals(0, subscriber.poll(IGNORE, 1, 2, TimeUnit.MILLISECONDS));
        }
    }
}
