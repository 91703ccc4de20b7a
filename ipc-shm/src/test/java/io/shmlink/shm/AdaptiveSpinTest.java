package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.shm.testing.TempRegistry;
import io.shmlink.shm.wait.ReaderWait;
import io.shmlink.shm.wait.SpinBudget;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_WAIT_STATE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;
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

    /**
     * The wait ends at the look that found the message, not after the handler: a message that a sleeper's wake-up
     * found soon after the spin makes a short wait however long its handler ran, and gives a halved spin back. The
     * subscriber's clock moves a microsecond a reading, and ten milliseconds in the handler.
     */
    @Test
    @Timeout(60)
    void aWaitIsTimedToTheLookThatFoundItsMessageNotToTheEndOfItsHandler() throws InterruptedException
    {
        shm.registry().create("woken", ChannelConfig.spsc(64 * 1024));
        final ShmSubscriber subscriber = shm.registry().subscriber("woken");
        final Publisher publisher = shm.registry().publisher("woken");
        final ReaderWait wait = ReaderWait.blocking().withMaxSleep(Duration.ofSeconds(60)); // only a ring wakes it
        subscriber.readerWait(wait);
        final SteppingClock clock = new SteppingClock();
        subscriber.nanoClock(clock);
        for (int i = 0; i < SpinBudget.LONG_WAITS_TO_HALVE; i++)
        {
            assertEquals(0, subscriber.poll(IGNORE, 1, 3 * wait.spinNanos(), TimeUnit.NANOSECONDS));
        }
        assertEquals(wait.spinNanos() / 2, subscriber.spinNanos(), "a row of long waits halved the spin");
        final Thread sender = new Thread(() ->
        {
            while (subscriber.buffer.getIntVolatile(SUBSCRIBER_WAIT_STATE_OFFSET) != WAIT_STATE_SLEEPING)
            {
                Thread.onSpinWait();
            }
            assertTrue(publisher.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0);
        });
        sender.start();

        final int delivered = subscriber.poll((buffer, offset, length) -> clock.advance(10_000_000), 1, 1,
            TimeUnit.SECONDS);
        sender.join();

        assertEquals(1, delivered);
        assertEquals(wait.spinNanos(), subscriber.spinNanos(), "the wait was short: the 10 ms handler is not in it");
    }

    /** A clock that moves on by a microsecond each time it is read, and as far as a test says. */
    private static final class SteppingClock implements NanoClock
    {
        private long now;

        @Override
        public long nanoTime()
        {
            now += 1_000;
            return now;
        }

        void advance(final long nanos)
        {
            now += nanos;
        }
    }

    private static void timeOut(final ShmSubscriber subscriber, final int polls)
    {
        for (int i = 0; i < polls; i++)
        {
            assertEquals(0, subscriber.poll(IGNORE, 1, 2, TimeUnit.MILLISECONDS));
        }
    }
}
