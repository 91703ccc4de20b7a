package io.shmlink.shm.testing;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ShmRegistry;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM: publishes {@link TaggedMessages} as publisher {@code id} for {@code seconds}, at about {@code rate} a
 * second (0: as fast as it can), every even sequence number by {@code offer} and every odd one by {@code tryClaim},
 * writing the message in place before {@code commit} (so much of its time is spent inside a claim). Prints
 * {@code ATTACHED}, then {@code SENT <n>}: how many sends returned a position. With a fifth argument {@code
 * slowClaimMs}, every second it also makes one claim slow: it prints {@code IN_CLAIM <seq>} after writing half the
 * message in place and spins that long before writing the rest, so that a test can stop it mid-claim.
 * Args: directory channel id seconds rate [slowClaimMs]
 */
public final class PacedPublisherMain
{
    private static final long BURST_NS = TimeUnit.MILLISECONDS.toNanos(1);

    public static void main(final String[] args)
    {
        final int id = Integer.parseInt(args[2]);
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        final long rate = Long.parseLong(args[4]);
        final long perBurst = rate == 0 ? Long.MAX_VALUE : Math.max(1, rate / 1000);
        final long slowClaimNs = args.length > 5 ? TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[5])) : 0;
        long nextSlowClaim = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long seq = 0;
        try (ShmRegistry registry = ShmRegistry.open(Path.of(args[0]));
            Publisher publisher = registry.publisher(args[1]))
        {
            System.out.println("ATTACHED");
            System.out.flush();
            final TaggedSender sender = TaggedSender.of(publisher, id, until + TimeUnit.SECONDS.toNanos(60));
            final TaggedMessages messages = sender.messages();
            final BufferClaim claim = new BufferClaim();
            long nextBurst = System.nanoTime();
            for (; System.nanoTime() < until; seq++)
            {
                if (seq % perBurst == 0 && seq > 0)
                {
                    nextBurst += BURST_NS;
                    final long wait = nextBurst - System.nanoTime();
                    if (wait > 0)
                    {
                        LockSupport.parkNanos(wait);
                    }
                }
                if ((seq & 1) == 0)
                {
                    sender.offer(seq);
                }
                else
                {
                    final int length = messages.length(id, seq);
                    while (publisher.tryClaim(length, claim) < 0)
                    {
                        sender.giveWay(seq);
                    }
                    if (slowClaimNs > 0 && System.nanoTime() >= nextSlowClaim)
                    {
                        writeSlowly(messages, id, seq, claim, slowClaimNs);
                        nextSlowClaim = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    }
                    else
                    {
                        messages.write(id, seq, claim.buffer(), claim.offset());
                    }
                    claim.commit();
                }
            }
        }
        System.out.println("SENT " + seq);
        System.out.flush();
    }

    /** Writes the message in two halves, announcing the claim and spinning in between. */
    private static void writeSlowly(
        final TaggedMessages messages, final int id, final long seq, final BufferClaim claim, final long spinNs)
    {
        final UnsafeBuffer whole = new UnsafeBuffer(new byte[claim.length()]);
        messages.write(id, seq, whole, 0);
        final int half = claim.length() / 2;
        claim.buffer().putBytes(claim.offset(), whole, 0, half);
        System.out.println("IN_CLAIM " + seq);
        System.out.flush();
        final long until = System.nanoTime() + spinNs;
        while (System.nanoTime() < until)
        {
            Thread.onSpinWait();
        }
        claim.buffer().putBytes(claim.offset() + half, whole, half, claim.length() - half);
    }
}
