package io.shmlink.shm.ring;

import static io.shmlink.shm.ring.RecordDescriptor.frameLength;
import static io.shmlink.shm.ring.RecordDescriptor.type;

/**
 * The policy around {@link RingReader#unblock} and {@link RingReader#releaseHeldClaim}: when a claim that holds
 * the reader up is skipped, and when a held skipped claim is let go. {@code docs/DESIGN.md}, "Skip and hold",
 * gives the reasons.
 * <ul>
 *   <li>A claim (or, MPMC, a gap) at the read position is skipped once it has been seen there for the claim
 *   timeout, or sooner once its claimer's attach is over ({@link ClaimerLiveness#isSessionOver}). The claimer's
 *   liveness is asked only when the same stall was seen before, so a record caught mid-write never pays for
 *   it.</li>
 *   <li>A held claim is let go once its claimer overwrote the mark or its process is known dead
 *   ({@link ClaimerLiveness#isProcessDead}).</li>
 *   <li>It looks at most once per {@link #CHECK_INTERVAL_NS}, and only from empty polls: reading the tail takes the
 *   publishers' tail line away from them, and a clock read costs about as much as a poll.</li>
 * </ul>
 * Used by the reader's thread only.
 */
public final class StallDetector
{
    /**
     * The most often an idle reader looks at the tail. Reading the publishers' tail line takes it away from them,
     * so their next claim pays a coherence miss: once a millisecond costs nothing measurable, once every few polls
     * would cost every message.
     */
    public static final long CHECK_INTERVAL_NS = 1_000_000L;

    /** Empty polls between looks at the clock. */
    private static final int CLOCK_CHECK_INTERVAL_MASK = 255;

    private final RingReader reader;
    private final long claimTimeoutNs;
    private final ClaimerLiveness claimers;

    private int emptyPolls;
    private long nextCheckNs;

    /** The read position at which the reader was last seen held up, or -1. */
    private long stallPosition = -1;
    private long stallSinceNs;

    /** The tail when the stall at {@link #stallPosition} was first seen: {@link RingReader#unblock}'s bound. */
    private long stallTail;

    /**
     * @param reader         the reader to watch.
     * @param claimTimeoutNs how long a claim may hold the reader up before it is skipped.
     * @param claimers       what the subscriber knows of the publishers that claimed stalled records.
     */
    public StallDetector(final RingReader reader, final long claimTimeoutNs, final ClaimerLiveness claimers)
    {
        this.reader = reader;
        this.claimTimeoutNs = claimTimeoutNs;
        this.claimers = claimers;
        this.nextCheckNs = System.nanoTime();
    }

    /**
     * Called after each poll that delivered nothing: every 256th call looks at the clock, and looks for a stall if
     * it is due.
     */
    public void onEmptyPoll()
    {
        if ((++emptyPolls & CLOCK_CHECK_INTERVAL_MASK) == 0)
        {
            checkIfDue();
        }
    }

    /**
     * Looks for a stall if the last look was {@link #CHECK_INTERVAL_NS} ago or more. A subscriber that sleeps
     * between polls calls it after each sleep: it polls too rarely for {@link #onEmptyPoll} to look in good time.
     */
    public void checkIfDue()
    {
        final long now = System.nanoTime();
        if (now - nextCheckNs >= 0)
        {
            nextCheckNs = now + CHECK_INTERVAL_NS;
            check(now);
        }
    }

    /**
     * Lets go of a held claim whose claimer has, then looks at what holds the reader up and skips it if its time is
     * up. Tests call it with explicit times.
     *
     * @param now {@link System#nanoTime()}, read after the previous call returned.
     */
    public void check(final long now)
    {
        final int heldClaimer = reader.heldClaimer();
        if (heldClaimer != 0 && (reader.isHeldClaimLetGo() || claimers.isProcessDead(heldClaimer)))
        {
            reader.releaseHeldClaim();
        }
        final long position = reader.position();
        final long tail = reader.tail();
        final long header = reader.blockingHeader(tail);
        if (header == RingReader.NOTHING_BLOCKS)
        {
            stallPosition = -1;
            return;
        }
        if (stallPosition != position)
        {
            stallPosition = position;
            stallTail = tail;
            stallSinceNs = now;
            return;
        }
        // A claim's type is its claimer's session, stored with its length in one word; a gap names nobody.
        final int claimer = frameLength(header) < 0 ? type(header) : 0;
        if ((now - stallSinceNs >= claimTimeoutNs || (claimer > 0 && claimers.isSessionOver(claimer))) &&
            reader.unblock(stallTail))
        {
            stallPosition = -1;
        }
    }
}
