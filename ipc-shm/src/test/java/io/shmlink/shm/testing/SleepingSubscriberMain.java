package io.shmlink.shm.testing;

import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.wait.ReaderWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM: subscribes to a channel, prints {@code ATTACHED}, then blocks in one poll whose sleeps are never
 * bounded by the safety net (max sleep 1 hour), so only a doorbell ring can wake it before the timeout. Prints
 * {@code RECEIVED n first-byte} and exits. Args: directory channel timeoutSeconds
 */
public final class SleepingSubscriberMain
{
    public static void main(final String[] args)
    {
        final ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
        final ShmSubscriber subscriber = registry.subscriber(args[1]);
        subscriber.readerWait(ReaderWait.blocking().withMaxSleep(Duration.ofHours(1)));
        System.out.println("ATTACHED");
        System.out.flush();
        final int[] firstByte = {-1};
        final int received = subscriber.poll(
            (buffer, offset, length) -> firstByte[0] = buffer.getByte(offset), 10,
            Long.parseLong(args[2]), TimeUnit.SECONDS);
        System.out.println("RECEIVED " + received + " " + firstByte[0]);
        System.out.flush();
        registry.close();
    }
}
