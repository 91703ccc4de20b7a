package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.PacedPublisherMain;
import io.shmlink.shm.testing.TaggedMessages;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A publisher process stopped (SIGSTOP) for longer than the claim timeout, at random moments, while others go on:
 * its claims in flight are skipped and counted, and when it resumes it writes only into its own records. Every
 * message delivered is intact, in its publisher's order, once; the publishers never stopped lose nothing. The
 * stopped one sends 100,000 messages a second, half of them written in place in a claim; every other stop comes at
 * a random moment, and the rest right after it says it is halfway through writing a claim (it then spins for half
 * the claim timeout before writing the second half), so that stops mid-copy happen in every run. The other two send
 * 15,000 messages a second, enough to lap the ring many times over while it stands still, were the held claim not
 * holding them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrossProcessPauseTest
{
    private static final int MAX_LENGTH = 1024;
    private static final int PUBLISHERS = 3;
    private static final int PAUSED = 2;
    private static final long SECONDS = 35;
    private static final long RATE = 15_000;
    private static final int PAUSES = 5;
    private static final long PAUSE_MS = 3_000;
    private static final long SLOW_CLAIM_MS = 250;
    private static final long PAUSED_RATE = 100_000;
    private static final Duration CLAIM_TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("shmlink-pause-test-", new ShmRegistry.Options().claimTimeout(CLAIM_TIMEOUT));

    @BeforeEach
    void setUp()
    {
        shm.registry().create("mpsc", new ChannelConfig(ChannelMode.MPSC, 1 << 16, MAX_LENGTH));
    }

    @Test
    void aPublisherStoppedPastTheClaimTimeoutFiveTimesCorruptsNothingAndCostsOnlyItsOwnCountedMessages()
        throws Exception
    {
        final ShmSubscriber subscriber = shm.registry().subscriber("mpsc");
        final TaggedMessages.Verifier verifier =
            new TaggedMessages.Verifier(MAX_LENGTH, PUBLISHERS).allowGaps(PAUSED);
        final long[] sent = new long[PUBLISHERS];
        final List<ChildJvm> children = new ArrayList<>();
        try
        {
            for (int id = 0; id < PUBLISHERS; id++)
            {
                final ChildJvm child = id == PAUSED ?
                    ChildJvm.start(PacedPublisherMain.class, shm.directory().toString(), "mpsc", Integer.toString(id),
                        Long.toString(SECONDS), Long.toString(PAUSED_RATE), Long.toString(SLOW_CLAIM_MS)) :
                    ChildJvm.start(PacedPublisherMain.class, shm.directory().toString(), "mpsc", Integer.toString(id),
                        Long.toString(SECONDS), Long.toString(RATE));
                assertEquals("ATTACHED", child.readLine());
                children.add(child);
            }
            final BlockingQueue<String> pausedSays = new LinkedBlockingQueue<>();
            final Thread listener = new Thread(() -> readLines(children.get(PAUSED), pausedSays));
            listener.setDaemon(true);
            listener.start();
            final long paused = children.get(PAUSED).pid();
            final SplittableRandom random = new SplittableRandom();
            final long start = System.nanoTime();
            long nextPause = start + TimeUnit.MILLISECONDS.toNanos(500 + random.nextLong(1_000));
            int pauses = 0;
            long resumeAt = 0;
            long inClaimAt = Long.MIN_VALUE / 2;
            while ((pauses < PAUSES || resumeAt != 0) &&
                pausedSays.stream().noneMatch(line -> line.startsWith("SENT")))
            {
                final long now = System.nanoTime();
                if (resumeAt != 0 && now >= resumeAt)
                {
                    signal("CONT", paused);
                    resumeAt = 0;
                    nextPause = now + TimeUnit.MILLISECONDS.toNanos(200 + random.nextLong(800));
                }
                inClaimAt = lastInClaim(pausedSays, inClaimAt);
                // its slow claim spins SLOW_CLAIM_MS after saying so: a stop well within that lands mid-copy
                final boolean midCopy = now - inClaimAt < TimeUnit.MILLISECONDS.toNanos(SLOW_CLAIM_MS / 2);
                if (resumeAt == 0 && now >= nextPause && (pauses % 2 == 0 || midCopy))
                {
                    signal("STOP", paused);
                    pauses++;
                    resumeAt = now + TimeUnit.MILLISECONDS.toNanos(PAUSE_MS);
                }
                drain(subscriber, verifier);
            }
            for (int id = 0; id < PUBLISHERS; id++)
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
                sent[id] = Long.parseLong(id == PAUSED ? awaitSent(pausedSays, subscriber, verifier, deadline) :
                    awaitSent(children.get(id), subscriber, verifier, deadline));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!allArrived(verifier, sent))
            {
                assertTrue(System.nanoTime() < deadline, "timed out: " + progress(verifier));
                drain(subscriber, verifier);
            }
            for (final ChildJvm child : children)
            {
                assertEquals(0, child.waitFor(30));
            }
        }
        finally
        {
            if (children.size() > PAUSED && children.get(PAUSED).isAlive())
            {
                new ProcessBuilder("kill", "-CONT", Long.toString(children.get(PAUSED).pid())).start().waitFor();
            }
            children.forEach(ChildJvm::close);
        }
        assertNull(verifier.failure());
        for (int id = 0; id < PUBLISHERS; id++)
        {
            if (id != PAUSED)
            {
                assertEquals(0, verifier.missing(id), "publisher " + id + " lost nothing");
            }
        }
        final long lost = verifier.missing(PAUSED);
        System.out.println("paused publisher: " + lost + " messages lost, " + subscriber.lostClaims() +
            " lost claims counted, last " + subscriber.lastLostClaim());
        assertEquals(sent[0] + sent[1] + sent[2] - lost, verifier.total(), "nothing duplicated, nothing extra");
        assertTrue(lost <= subscriber.lostClaims(), lost + " missing, " + subscriber.lostClaims() + " counted lost");
        assertTrue(lost >= 1, "a stop mid-copy cost the stopped publisher its message, and only that");
    }

    private static boolean allArrived(final TaggedMessages.Verifier verifier, final long[] sent)
    {
        for (int id = 0; id < PUBLISHERS; id++)
        {
            if (verifier.received(id) < sent[id])
            {
                return false;
            }
        }
        return true;
    }

    private static void drain(final ShmSubscriber subscriber, final TaggedMessages.Verifier verifier)
    {
        assertNull(verifier.failure());
        if (subscriber.poll(verifier, 256) == 0)
        {
            Thread.yield();
        }
    }

    /**
     * Takes the paused publisher's lines so far: the time it last said it is halfway through a slow claim, or the
     * one given if it did not; a {@code SENT} line is put back for {@link #awaitSent}.
     */
    private static long lastInClaim(final BlockingQueue<String> lines, final long before)
    {
        long at = before;
        for (String line = lines.poll(); line != null; line = lines.poll())
        {
            if (line.startsWith("SENT"))
            {
                lines.add(line);
                break;
            }
            if (line.startsWith("IN_CLAIM"))
            {
                at = System.nanoTime();
            }
        }
        return at;
    }

    private static String awaitSent(
        final BlockingQueue<String> lines, final ShmSubscriber subscriber, final TaggedMessages.Verifier verifier,
        final long deadline)
    {
        while (true)
        {
            final String line = lines.poll();
            if (line != null && line.startsWith("SENT "))
            {
                return line.substring("SENT ".length());
            }
            assertTrue(System.nanoTime() < deadline, "paused publisher never finished: " + progress(verifier));
            drain(subscriber, verifier);
        }
    }

    private static void readLines(final ChildJvm child, final BlockingQueue<String> lines)
    {
        try
        {
            for (String line = child.readLine(); line != null; line = child.readLine())
            {
                lines.add(line);
            }
        }
        catch (final IOException ex)
        {
            // the child is gone: the test's own checks say why
        }
    }

    /** Polls while a publisher finishes, so it is never held back by a full ring; returns its count. */
    private static String awaitSent(
        final ChildJvm child, final ShmSubscriber subscriber, final TaggedMessages.Verifier verifier,
        final long deadline) throws IOException
    {
        final java.util.concurrent.CompletableFuture<String> line =
            java.util.concurrent.CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return child.awaitLine("SENT ");
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
        while (!line.isDone())
        {
            assertTrue(System.nanoTime() < deadline, "publisher never finished: " + progress(verifier));
            drain(subscriber, verifier);
        }
        return line.join().substring("SENT ".length());
    }

    private static String progress(final TaggedMessages.Verifier verifier)
    {
        final StringBuilder out = new StringBuilder();
        for (int id = 0; id < PUBLISHERS; id++)
        {
            out.append(" publisher ").append(id).append(' ').append(verifier.received(id));
        }
        return out.toString();
    }

    private static void signal(final String signal, final long pid) throws IOException, InterruptedException
    {
        if (pid > 0)
        {
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
        }
    }
}
