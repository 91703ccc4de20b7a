package io.shmlink.shm;

import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.LostClaimInfo;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.ring.ClaimerLiveness;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.ring.StallDetector;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.LastLostClaim;
import io.shmlink.shm.wait.Doorbell;
import io.shmlink.shm.wait.ReaderWait;
import io.shmlink.shm.wait.SpinBudget;
import io.shmlink.shm.wait.WaitPhase;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.channels.ClosedSelectorException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.MAX_PUBLISHERS;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;

/**
 * The subscriber of a shared-memory channel. Poll it from one thread at a time; {@link #close} may come from any
 * thread (it waits for a poll in progress). {@link #poll} allocates nothing, but for the stall check while a
 * skipped claim is held (at most once a millisecond; see {@code docs/DESIGN.md}).
 * <p>
 * The blocking {@link #poll(MessageHandler, int, long, TimeUnit)} waits as its {@link ReaderWait} says: spin,
 * yield, then sleep on a {@link Doorbell} that publishers ring only when this subscriber has announced in the
 * segment that it sleeps. It spins less than the policy's spin while its waits outlast that spin
 * ({@link SpinBudget}): a spin that never catches a message only burns a core before the wake-up.
 * <p>
 * One subclass per kind of channel, so that neither pays for the other's checks on the hot path:
 * {@link QueueSubscriber} (SPSC, MPSC: the one subscriber, in the header) and {@link FanOutSubscriber} (SPMC, MPMC:
 * one of several, in a slot of its own, and evicted if it holds the publishers back too long).
 */
public abstract sealed class ShmSubscriber implements Subscriber, Party permits QueueSubscriber, FanOutSubscriber
{
    /** Sleep granularity when no doorbell can be bound (directory path too long for a Unix socket). */
    private static final long FALLBACK_PARK_NANOS = 1_000_000;

    private static final System.Logger LOGGER = System.getLogger(ShmSubscriber.class.getName());


    private final ShmRegistry registry;
    final ChannelSegment segment;
    final UnsafeBuffer buffer;
    final RingReader reader;
    final StallDetector stalls;
    /** How long the blocking poll spins, adapted to how its waits end (polling thread only). */
    private SpinBudget spin;

    /** Times the blocking poll's waits: {@link SystemNanoClock}, or a test's clock (polling thread only). */
    private NanoClock clock = SystemNanoClock.INSTANCE;

    /**
     * {@link #clock}'s time of the last look at the ring in a sleep, before its handler ran: when a wait that found a
     * message there ended, for {@link SpinBudget} (polling thread only).
     */
    private long lookedAtNanos;
    private volatile Doorbell doorbell;
    private boolean doorbellUnavailable;
    /** Marks polls in progress, for a close from another thread to wait for; holds the closed flag. */
    private final PollGuard guard;

    /**
     * Held by the liveness tick while it writes into this subscriber's slot (heartbeat, counters), and by whatever
     * gives the slot back (a close; a fan-out eviction heard): a tick that began before a close from another thread
     * writes either before the slot is given back or, seeing the close, not at all, so it never writes into a slot
     * a successor took. Package-private for the test that holds it to stop a tick half-way.
     */
    final Object slotLock = new Object();

    /** Taken by the one close() from another thread than the poller that does the closing. */
    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * Per publisher slot, the token the liveness thread last found dead there. The poll path compares tokens with
     * these instead of reading {@code /proc}, which allocates and takes microseconds.
     */
    private final AtomicLongArray deadTokens = new AtomicLongArray(MAX_PUBLISHERS);

    /** Where this subscriber's heartbeat and doorbell number live: the header's subscriber region, or its slot. */
    private final int heartbeatOffset;
    private final int doorbellOffset;

    /**
     * @param reader          reads the ring for this subscriber.
     * @param heartbeatOffset where its heartbeat lives in the segment.
     * @param doorbellOffset  where its doorbell number lives in the segment.
     */
    ShmSubscriber(
        final ShmRegistry registry,
        final ChannelSegment segment,
        final long claimTimeoutNs,
        final ReaderWait wait,
        final RingReader reader,
        final int heartbeatOffset,
        final int doorbellOffset)
    {
        this.registry = registry;
        this.segment = segment;
        this.buffer = segment.buffer();
        this.spin = new SpinBudget(wait);
        this.guard = new PollGuard(segment.name());
        this.reader = reader;
        this.heartbeatOffset = heartbeatOffset;
        this.doorbellOffset = doorbellOffset;
        this.stalls = new StallDetector(reader, claimTimeoutNs, new Claimers());
        reader.lostClaimListener(this::onLostClaim);
    }

    /**
     * Waits for messages, as {@link #readerWait()} says, then hands up to {@code messageLimit} of them to the
     * handler. Returns as soon as at least one message was handed over, or when the timeout passes.
     *
     * @param handler      called once per message.
     * @param messageLimit the most messages to hand over.
     * @param timeout      the longest wait; 0 or less polls once without waiting.
     * @param unit         of the timeout.
     * @return the number of messages handed to the handler; 0 after the timeout, once this subscriber is closed,
     * or when the thread is interrupted (its interrupt status stays set, as with {@code LockSupport.park}).
     */
    @Override
    public int poll(final MessageHandler handler, final int messageLimit, final long timeout, final TimeUnit unit)
    {
        checkArguments(handler, messageLimit);
        if (!guard.enter())
        {
            return 0;
        }
        try
        {
            final int messages = pollOnce(handler, messageLimit);
            if (messages > 0 || timeout <= 0 || messageLimit == 0)
            {
                return messages;
            }
            return awaitMessages(handler, messageLimit, unit.toNanos(timeout));
        }
        catch (final InternalError fault)
        {
            throw segment.faulted(fault); // the file was truncated under the mapping, most likely
        }
        finally
        {
            if (guard.exit())
            {
                releaseSlot(); // the handler closed this subscriber
            }
        }
    }

    private int awaitMessages(final MessageHandler handler, final int messageLimit, final long timeoutNanos)
    {
        final SpinBudget spin = this.spin;
        final NanoClock clock = this.clock;
        final long start = clock.nanoTime();
        long waited = 0;
        int messages = 0;
        while (!guard.isClosed())
        {
            waited = clock.nanoTime() - start;
            final long remaining = timeoutNanos - waited;
            if (remaining <= 0)
            {
                break;
            }
            final WaitPhase phase = spin.phase(waited);
            if (phase == WaitPhase.SPIN)
            {
                Thread.onSpinWait();
                messages = pollOnce(handler, messageLimit);
            }
            else if (phase == WaitPhase.YIELD)
            {
                Thread.yield();
                messages = pollOnce(handler, messageLimit);
            }
            else if (Thread.currentThread().isInterrupted())
            {
                break; // a selector returns at once for an interrupted thread: sleeping would spin
            }
            else
            {
                messages = sleepThenPoll(handler, messageLimit,
                    Math.min(remaining, spin.policy().maxSleepNanos()));
            }
            if (messages > 0)
            {
                if (phase == WaitPhase.SLEEP)
                {
                    // the look after the wake-up: a spin's or a yield's is timed by its start, as the message may
                    // have come at any time in a yield that lasted a time slice
                    waited = lookedAtNanos - start;
                }
                break;
            }
        }
        spin.onWaitEnded(waited, messages > 0);
        return messages;
    }

    /**
     * Announces the sleep, looks at the ring one last time, then blocks on the doorbell. A commit made before the
     * announcement is visible to that last look; a publisher committing after it finds SLEEPING and rings.
     */
    private int sleepThenPoll(final MessageHandler handler, final int messageLimit, final long nanos)
    {
        final Doorbell bell = doorbell();
        if (bell == null)
        {
            LockSupport.parkNanos(Math.min(nanos, FALLBACK_PARK_NANOS));
            checkStalls();
            return timedPollOnce(handler, messageLimit);
        }
        bell.clearRings();
        announceSleep();
        try
        {
            final int messages = timedPollOnce(handler, messageLimit);
            if (messages > 0)
            {
                return messages;
            }
            bell.await(nanos);
        }
        catch (final ClosedSelectorException closedByAnotherThread)
        {
            return 0;
        }
        finally
        {
            announceAwake();
        }
        // a sleeper polls too rarely for the poll's own count of empty polls to look for stalls in good time
        checkStalls();
        return timedPollOnce(handler, messageLimit);
    }

    /** {@link #pollOnce} in a sleep, its start noted in {@link #lookedAtNanos} before any handler runs. */
    private int timedPollOnce(final MessageHandler handler, final int messageLimit)
    {
        lookedAtNanos = clock.nanoTime();
        return pollOnce(handler, messageLimit);
    }

    /** Stores this subscriber's wait state as sleeping, for publishers to see after their next send. */
    abstract void announceSleep();

    /** Stores this subscriber's wait state as awake, unless the slot is no longer this subscriber's. */
    abstract void announceAwake();

    private Doorbell doorbell()
    {
        if (doorbell == null && !doorbellUnavailable && !guard.isClosed())
        {
            doorbell = Doorbell.openOrNull(segment.file().getParent(), ProcessToken.SELF, registry.access());
            doorbellUnavailable = doorbell == null;
            if (doorbell != null)
            {
                // stored before any SLEEPING, so a publisher that sees SLEEPING (by CAS) sees the number too
                buffer.putIntVolatile(doorbellOffset, doorbell.number());
                if (guard.isClosed())
                {
                    doorbell.close(); // close() ran in another thread before it could see this doorbell
                }
            }
        }
        return doorbell;
    }

    /**
     * How long the next blocking poll spins before it sleeps, for tests.
     *
     * @return nanoseconds: the policy's spin, or less after waits that outlasted it.
     */
    long spinNanos()
    {
        return spin.spinNanos();
    }

    /**
     * Replaces the clock that times the blocking poll's waits, so that a test can say how long a wait and a handler
     * took; call it from the polling thread, between polls.
     *
     * @param clock read at each step of a wait.
     */
    void nanoClock(final NanoClock clock)
    {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * How the blocking poll waits.
     *
     * @return the policy; the registry's {@link ShmRegistry.Options#readerWait} unless changed here.
     */
    public ReaderWait readerWait()
    {
        return spin.policy();
    }

    /**
     * Changes how the blocking poll waits, e.g. to {@link ReaderWait#busySpin()} on a dedicated core. Call it from
     * the polling thread, or before the polls begin.
     *
     * @param wait the policy.
     * @return this.
     */
    public ShmSubscriber readerWait(final ReaderWait wait)
    {
        this.spin = new SpinBudget(Objects.requireNonNull(wait, "wait"));
        return this;
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        checkArguments(handler, messageLimit);
        if (!guard.enter())
        {
            return 0;
        }
        try
        {
            return pollOnce(handler, messageLimit);
        }
        catch (final InternalError fault)
        {
            throw segment.faulted(fault); // the file was truncated under the mapping, most likely
        }
        finally
        {
            if (guard.exit())
            {
                releaseSlot(); // the handler closed this subscriber
            }
        }
    }

    private static void checkArguments(final MessageHandler handler, final int messageLimit)
    {
        if (messageLimit < 0 || handler == null)
        {
            throw badArguments(handler, messageLimit);
        }
    }

    private int pollOnce(final MessageHandler handler, final int messageLimit)
    {
        if (guard.isClosed())
        {
            return 0;
        }
        return read(handler, messageLimit);
    }

    /**
     * One look at the ring, once the poll is known open: up to {@code messageLimit} messages to the handler; an
     * empty look counts towards the stall check, and finds a deleted channel.
     *
     * @return messages delivered.
     */
    abstract int read(MessageHandler handler, int messageLimit);

    /** The stall check of a sleeper's wake-up, due or not. */
    void checkStalls()
    {
        stalls.checkIfDue();
    }

    private static RuntimeException badArguments(final MessageHandler handler, final int messageLimit)
    {
        return handler == null ? new NullPointerException("handler") :
            new IllegalArgumentException("messageLimit must be >= 0: " + messageLimit);
    }

    /**
     * What an empty look at the ring does: counts towards the stall check, and finds a deleted channel. A deleted
     * channel's backlog is still delivered; only an empty poll looks for the mark, so a busy subscriber pays nothing
     * for it.
     *
     * @throws ChannelNotFoundException if the channel was deleted.
     */
    final void onEmptyRead()
    {
        stalls.onEmptyPoll();
        if (buffer.getLongVolatile(SUBSCRIBER_TOKEN_OFFSET) == ProcessToken.DELETED)
        {
            throw deleted();
        }
    }

    private ChannelNotFoundException deleted()
    {
        return new ChannelNotFoundException("channel '" + segment.name() + "' (" + segment.file() + ") was deleted");
    }

    /**
     * Whether any publisher attached to the channel lives.
     *
     * @return true if one does; reads {@code /proc}, so not for the hot path.
     */
    public boolean hasLivePublisher()
    {
        return PartySlots.anyLivePublisher(segment);
    }

    /**
     * What became of a channel's publishers, as far as the registry's liveness thread knows.
     */
    public enum Publishers
    {
        /** At least one publisher is attached and not found dead. */
        ATTACHED,

        /** No publisher is attached: none ever came, or all closed. */
        NONE,

        /** Every attached publisher was found dead. */
        DEAD
    }

    /**
     * The publishers' state from the segment and the liveness thread's last verdicts, without reading {@code /proc}
     * or allocating: for loops that wait on a peer. A death shows here within one liveness interval.
     *
     * @return the state.
     */
    public Publishers publishers()
    {
        boolean dead = false;
        for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
        {
            final long token = PartySlots.publisherToken(segment, slot);
            if (ProcessToken.isAttached(token))
            {
                if (token != deadTokens.get(slot))
                {
                    return Publishers.ATTACHED;
                }
                dead = true;
            }
        }
        return dead ? Publishers.DEAD : Publishers.NONE;
    }

    /**
     * Claims that were never committed and that this channel's subscribers skipped.
     *
     * @return the count stored in the segment.
     */
    public long lostClaims()
    {
        return segment.buffer().getLongVolatile(LOST_CLAIMS_OFFSET);
    }

    /**
     * The last claim this channel's subscribers skipped, with the process that claimed it, read whole from the
     * mapping.
     *
     * @return it; null if there was none, or if a subscriber died writing it down (until the next lost claim).
     */
    public LostClaimInfo lastLostClaim()
    {
        return LastLostClaim.read(buffer);
    }

    /**
     * The position after the last consumed record.
     *
     * @return bytes consumed since the channel was created.
     */
    public long position()
    {
        return reader.position();
    }

    /**
     * The channel this subscriber reads.
     *
     * @return the channel name.
     */
    public String channel()
    {
        return segment.name();
    }

    /**
     * Refreshes this subscriber's heartbeat and publishes its message and byte counters to the segment now (the
     * registry's liveness thread does both every 100 ms anyway).
     */
    public void keepAlive()
    {
        onLivenessTick();
    }

    /**
     * A snapshot of the channel: parties, positions and counters.
     *
     * @return the channel's description.
     */
    public ChannelInfo channelInfo()
    {
        return segment.describe(ProcessToken::partyInfo);
    }

    /**
     * Detaches this subscriber. Called from another thread while a poll is in progress there, it wakes that poll
     * if it sleeps and waits for it to return (a slow handler included) before it releases the subscriber slot:
     * a successor that attached while this poll could still deliver or release would see its messages again.
     * Called from the polling thread's own handler, it takes effect when that poll returns (the rest of the batch
     * in hand is still delivered: it is consumed either way).
     */
    @Override
    public void close()
    {
        if (guard.closeFromPoller())
        {
            return; // the poll releases the slot as it returns
        }
        if (!closing.compareAndSet(false, true))
        {
            return; // another thread closes it
        }
        guard.markClosed();
        final Doorbell bell = doorbell;
        if (bell != null)
        {
            bell.close(); // wakes the polling thread if it sleeps on it
        }
        // Not under a lock: the poll's handler may call close() too, and must not block on this one. The JVM's
        // asynchronous fault on a truncated file can end a poll between its steps and leave it marked in progress
        // for ever; a truncated channel is corrupt for every party anyway, so the wait stops for it.
        if (guard.awaitNoPoll(segment::isTruncated))
        {
            releaseSlot();
        }
    }

    private void releaseSlot()
    {
        registry.detached(this);
        synchronized (slotLock)
        {
            // truncated: nothing of the segment is touched; a slot no longer this subscriber's: neither is that
            final boolean touchSlot = !segment.isTruncated() && ownsSlot();
            if (touchSlot)
            {
                reader.publishCounters();
            }
            if (doorbell != null)
            {
                if (touchSlot)
                {
                    buffer.putIntVolatile(doorbellOffset, 0);
                }
                doorbell.close();
            }
            detachSlot();
        }
    }

    /**
     * Whether the slot this subscriber attached to is still its own.
     *
     * @return false once a fan-out subscriber's eviction gave it back.
     */
    abstract boolean ownsSlot();

    /** Gives the slot back, if it is still this subscriber's. */
    abstract void detachSlot();

    /**
     * Names this party in logs, such as the liveness thread's report of a failed check.
     *
     * @return the channel, its file and what this is.
     */
    @Override
    public String toString()
    {
        return "ShmLink subscriber of channel '" + segment.name() + "' (" + segment.file() + ")";
    }

    @Override
    public final void onLivenessTick()
    {
        synchronized (slotLock)
        {
            // under the lock, which a close takes to give the slot back: closed, the slot may be a successor's
            if (guard.isClosed() || !tickSlot())
            {
                return; // closed, or evicted: the subscriber has nothing left to watch
            }
        }
        for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
        {
            final long token = PartySlots.publisherToken(segment, slot);
            // a token found dead stays dead: /proc is read (and allocates) once per dead publisher, not once
            // per tick for each of the dead slots an MPSC channel keeps while free slots remain
            if (ProcessToken.isAttached(token) && token != deadTokens.get(slot) && !ProcessToken.isAlive(token))
            {
                deadTokens.set(slot, token);
            }
        }
    }

    /**
     * The liveness tick's writes into this subscriber's slot: heartbeat and counters.
     *
     * @return false if the slot is no longer this subscriber's (a fan-out eviction), and nothing was written.
     */
    boolean tickSlot()
    {
        segment.checkNotTruncated();
        PartySlots.heartbeat(buffer, heartbeatOffset);
        reader.publishCounters();
        return true;
    }

    /**
     * Writes a skipped claim down in the segment, where {@code shmlink stat} and every {@link ChannelInfo} show it,
     * and logs it: a lost claim is a message its publisher may believe sent. The claimer is named by the pid in
     * its session's slot, read now: a publisher that closed meanwhile, or whose slot was taken again, stays
     * unnamed rather than blame the slot's new holder.
     */
    private void onLostClaim(final long position, final int length, final int session)
    {
        final long pid = PartySlots.pidOf(segment, session);
        LastLostClaim.store(buffer, position, length, session, pid, System.currentTimeMillis());
        try
        {
            LOGGER.log(System.Logger.Level.WARNING, () -> "channel '" + segment.name() + "': skipped " + length +
                " bytes at position " + position + " claimed by " + (session == 0 ?
                "a publisher that stood still or died before writing its header" : "session " + session + " (" +
                (pid == 0 ? "process unknown" : "pid " + pid) + ")") + " and not committed within the claim" +
                " timeout or before its attach ended; lost claims so far: " + lostClaims());
        }
        catch (final RuntimeException ex)
        {
            // a logging backend the application installed failed: the ring is consistent, and poll must go on
        }
    }

    /**
     * What the liveness thread's verdicts say of a stalled claim's publisher. {@link #isSessionOver} reads only the
     * segment and those verdicts; {@link #isProcessDead} may read {@code /proc} for a publisher that has left its
     * slot, on the stall-check path only (at most once a millisecond while a skipped claim is held).
     */
    private final class Claimers implements ClaimerLiveness
    {
        @Override
        public boolean isSessionOver(final int session)
        {
            final int slot = PartySlots.slotOf(session);
            return slot >= 0 && PartySlots.isSessionOver(segment, session, deadTokens.get(slot));
        }

        @Override
        public boolean isProcessDead(final int session)
        {
            final int slot = PartySlots.slotOf(session);
            if (slot < 0)
            {
                return true; // no publisher can have written that session: a scribbled mark holds nothing
            }
            final long token = PartySlots.claimerToken(segment, session);
            if (!ProcessToken.isAttached(token))
            {
                return false; // unknown: held until the claimer lets go (see docs/DESIGN.md)
            }
            if (token == PartySlots.publisherToken(segment, slot))
            {
                return token == deadTokens.get(slot); // the liveness thread watches the slot's holder
            }
            return token != ProcessToken.SELF && !ProcessToken.isAlive(token);
        }
    }
}
