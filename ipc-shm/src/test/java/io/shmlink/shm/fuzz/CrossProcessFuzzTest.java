package io.shmlink.shm.fuzz;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.CorruptChannelException;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.FuzzCases;
import io.shmlink.shm.testing.ScribblerMain;
import io.shmlink.shm.testing.TaggedMessages;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzing from another process, while the channel runs: a child JVM ({@link ScribblerMain}) publishes
 * checksummed messages and, between them, writes random values into random fields of the segment through its
 * own mapping; this JVM's subscriber polls all the while. Neither JVM may crash, no poll may hang (each returns
 * within 5 s, a case within 60 s), and the subscriber answers every poll with messages or a
 * {@link CorruptChannelException} (or {@link ChannelNotFoundException} once the deleted mark is scribbled into
 * the subscriber slot).
 * <p>
 * What it delivers depends on where the garbage lands. The creator's header, counters and heartbeats are read at
 * attach and for statistics only, so garbage there changes nothing: every message arrives intact, in order,
 * each once. Garbage in a record's length word that still describes a record that fits the ring, or in the
 * positions, delivers misframed bytes that only the message's own checksum can tell from a message, as in
 * every ring without per-record checksums; those cases assert what the format guarantees (no exception but
 * CorruptChannelException, every delivered range inside the ring, no hang) and count the misframed deliveries.
 * {@code -Dshmlink.fuzz.processCases=N} (default 6; the stress profile sets 60).
 */
class CrossProcessFuzzTest
{
    private static final int CASES = Integer.getInteger("shmlink.fuzz.processCases", 6);
    private static final int CAPACITY = 1 << 14;
    private static final int MAX_LENGTH = 256;
    private static final String[] TARGETS = {"header", "control", "records"};

    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-xfuzz-", new ShmRegistry.Options().claimTimeout(Duration.ofMillis(20)));

    /** What one poller saw. */
    private static final class Received implements MessageHandler
    {
        private final TaggedMessages messages = new TaggedMessages(MAX_LENGTH);
        long intact;
        long misframed;
        long outOfOrder;
        long next;
        String outside;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (offset < SegmentDescriptor.RING_OFFSET || length < 0 ||
                offset + (long)length > SegmentDescriptor.RING_OFFSET + CAPACITY)
            {
                outside = "delivered [" + offset + ", " + (offset + (long)length) + ") outside the ring";
                return;
            }
            if (messages.checkContent(buffer, offset, length) != null)
            {
                misframed++;
                return;
            }
            intact++;
            final long seq = buffer.getLong(offset + 4);
            if (seq != next)
            {
                outOfOrder++;
            }
            next = seq + 1;
        }
    }

    @Test
    void aChildScribblingOnALiveChannelNeverCrashesOrHangsItsSubscriber() throws Exception
    {
        final long[] totals = new long[6]; // cases, intact, misframed, corrupt, deleted, slowest poll ns
        FuzzCases.run(CASES, 20261125, Duration.ofSeconds(60), (c, seed, random) ->
        {
            final String target = TARGETS[c % TARGETS.length];
            final String name = "xfuzz-" + c;
            final boolean mpsc = random.nextBoolean();
            shm.registry().create(name,
                new ChannelConfig(mpsc ? ChannelMode.MPSC : ChannelMode.SPSC, CAPACITY, MAX_LENGTH));
            final Received received = new Received();
            RuntimeException thrown = null;
            try (Subscriber subscriber = shm.registry().subscriber(name);
                ChildJvm child = ChildJvm.start(ScribblerMain.class, shm.directory().toString(), name,
                    Long.toString(seed), "400", target))
            {
                assertEquals("STARTED", child.awaitLine("STARTED"));
                final CompletableFuture<Long> published = CompletableFuture.supplyAsync(() -> publishedCount(child));
                int idleAfterDone = 0;
                while (idleAfterDone < 1000 && received.outside == null)
                {
                    final long start = System.nanoTime();
                    final int n;
                    try
                    {
                        n = subscriber.poll(received, 64);
                    }
                    catch (final CorruptChannelException | ChannelNotFoundException expected)
                    {
                        thrown = expected;
                        break;
                    }
                    totals[5] = Math.max(totals[5], System.nanoTime() - start);
                    idleAfterDone = published.isDone() && n == 0 ? idleAfterDone + 1 : 0;
                }
                assertNull(received.outside, target);
                final long sent = published.get(30, TimeUnit.SECONDS);
                assertEquals(0, child.waitFor(30), "the scribbling child exits normally, never crashes");
                if (target.equals("header"))
                {
                    assertNull(thrown, "garbage in the creator's header or the counters is never read on the way");
                    assertEquals(0, received.misframed, "header garbage misframes nothing");
                    assertEquals(0, received.outOfOrder, "header garbage reorders nothing");
                    assertEquals(sent, received.intact, "every message the child published arrived");
                }
            }
            totals[0]++;
            totals[1] += received.intact;
            totals[2] += received.misframed;
            totals[3] += thrown instanceof CorruptChannelException ? 1 : 0;
            totals[4] += thrown instanceof ChannelNotFoundException ? 1 : 0;
            shm.registry().delete(name);
        });
        System.out.printf("cross-process fuzz: %d cases, %d scribbles, 0 crashes, 0 hangs, slowest poll %d us; " +
            "%d messages intact, %d misframed by record/position garbage, %d CorruptChannelException, " +
            "%d deleted marks%n", totals[0], totals[0] * 400, totals[5] / 1000, totals[1], totals[2], totals[3],
            totals[4]);
        assertEquals(CASES, totals[0]);
        // A poll reads at most one ring: milliseconds. The bound leaves room for this JVM being descheduled on a
        // busy machine (a poll took 250 ms while two other JVMs spun on both cores), not for a loop.
        assertTrue(totals[5] < TimeUnit.SECONDS.toNanos(5), "every poll returned within 5 s");
    }

    private static long publishedCount(final ChildJvm child)
    {
        try
        {
            final long count = Long.parseLong(child.awaitLine("PUBLISHED ").substring(10));
            child.awaitLine("DONE");
            return count;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
