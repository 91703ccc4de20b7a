package io.shmlink.shm;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.ring.RingWriter;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.wait.DoorbellRinger;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Objects;

import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_HEARTBEAT_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;

/**
 * A publisher attached to a shared-memory channel. On an MPSC or MPMC channel one instance may be used by many
 * threads at once; on an SPSC or SPMC channel by one thread at a time. None of the send methods allocates.
 * <p>
 * One subclass per kind of channel, as Agrona keeps one ring class per producer mode, so that neither pays for the
 * other's checks on the hot path: {@link QueuePublisher} (SPSC, MPSC: one subscriber, its token in the header) and
 * {@link FanOutPublisher} (SPMC, MPMC: subscriber slots, gated on the slowest).
 * <p>
 * A channel file truncated by another process while mapped makes the next access fault; the send methods report
 * it as a {@link io.shmlink.api.CorruptChannelException} (see {@link ChannelSegment#faulted}). A fault while the
 * caller fills a claim in place happens in the caller's code and reaches it as the JVM's {@link InternalError}.
 */
public abstract sealed class ShmPublisher implements Publisher, Party permits QueuePublisher, FanOutPublisher
{
    /** Never a token: what {@link #connectedToken} holds when the next send must take the full check. */
    static final long NO_TOKEN = Long.MIN_VALUE;

    private final ShmRegistry registry;
    final ChannelSegment segment;
    final UnsafeBuffer buffer;
    private final long subscriberTokenAddress;
    private final RingWriter writer;
    private final int session;
    private final int maxMessageLength;
    final DoorbellRinger ringer;

    /** Completes claims through the writer, then wakes the subscriber as a send does. */
    private final BufferClaim.Completer completer = new BufferClaim.Completer()
    {
        @Override
        public void commit(final int recordOffset, final int length)
        {
            try
            {
                writer.commit(recordOffset, length);
                zeroAheadIfOpen();
                wakeSubscribersIfAsleep();
            }
            catch (final InternalError fault)
            {
                throw segment.faulted(fault);
            }
        }

        @Override
        public void commit(final int recordOffset, final int claimedLength, final int length)
        {
            try
            {
                writer.commit(recordOffset, claimedLength, length);
                zeroAheadIfOpen();
                wakeSubscribersIfAsleep();
            }
            catch (final InternalError fault)
            {
                throw segment.faulted(fault);
            }
        }

        @Override
        public void abort(final int recordOffset, final int length)
        {
            try
            {
                writer.abort(recordOffset, length);
                wakeSubscribersIfAsleep();
            }
            catch (final InternalError fault)
            {
                throw segment.faulted(fault);
            }
        }
    };
    volatile boolean closed;

    /**
     * Held by {@link #keepAlive()} while it writes the slot's heartbeat, and by {@link #close()} while it gives the
     * slot back: a heartbeat begun before a close from another thread lands before the slot is given back or, seeing
     * the close, not at all, never in a successor's slot. Not the publisher itself, so that no caller's lock on the
     * publisher can hold up the liveness thread. Package-private for the test that holds it to stop a heartbeat
     * half-way.
     */
    final Object slotLock = new Object();

    /**
     * The subscriber token with which the last send found this publisher free to send: while the segment still
     * holds it, a send checks nothing else (one load of the segment and one of this field, instead of the closed
     * flag, the dead token and three comparisons). {@link #close} and a liveness verdict against that token reset
     * it to {@link #NO_TOKEN}, which no segment holds, so the next send takes the full check in {@link #status}.
     * Any other token in the segment (detached, deleted, a new subscriber) also differs from it.
     */
    volatile long connectedToken = NO_TOKEN;

    ShmPublisher(final ShmRegistry registry, final ChannelSegment segment, final int session, final RingWriter writer)
    {
        this.registry = registry;
        this.segment = segment;
        this.buffer = segment.buffer();
        this.subscriberTokenAddress = segment.address() + SUBSCRIBER_TOKEN_OFFSET;
        this.session = session;
        this.maxMessageLength = segment.config().maxMessageLength();
        this.ringer = new DoorbellRinger(segment.file().getParent());
        this.writer = writer;
    }

    /**
     * Attaches the publisher for the channel's kind.
     *
     * @param registry the registry it detaches from.
     * @param segment  the mapped channel.
     * @param session  the session its attach took.
     * @return a {@link QueuePublisher} or a {@link FanOutPublisher}.
     */
    static ShmPublisher of(final ShmRegistry registry, final ChannelSegment segment, final int session)
    {
        return segment.config().mode().isFanOut() ?
            new FanOutPublisher(registry, segment, session) : new QueuePublisher(registry, segment, session);
    }

    /**
     * Wakes the subscriber after a send that wrote a record.
     *
     * @param result what the send returned.
     * @return {@code result}.
     */
    private long sent(final long result)
    {
        if (result > 0)
        {
            wakeSubscribersIfAsleep();
        }
        return result;
    }

    /**
     * Called after every send and every commit or abort of a claim: wakes the subscribers that announced that they
     * sleep, at the cost of one load when none does (see {@code docs/DESIGN.md}, "The doorbell"). Abort wakes too:
     * a sleeping subscriber may be waiting at the aborted claim with committed records behind it.
     */
    abstract void wakeSubscribersIfAsleep();

    /**
     * After a claim's commit, lets the writer prepare the next record ({@link RingWriter#zeroAhead()}) unless this
     * publisher was closed: close sets the flag before it gives up the slot, so while it reads false no other
     * publisher can be writing past the tail; a claim committed after close skips it.
     */
    private void zeroAheadIfOpen()
    {
        if (!closed)
        {
            writer.zeroAhead();
        }
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            if (isFreeToSend(UnsafeApi.getLongVolatile(null, subscriberTokenAddress)))
            {
                return sent(writer.write(buffer, offset, length));
            }
            writer.checkRange(buffer, offset, length);
            final long status = status();
            return status != 0 ? status : sent(writer.write(buffer, offset, length));
        }
        catch (final InternalError fault)
        {
            throw segment.faulted(fault);
        }
    }

    @Override
    public long offer(final ByteBuffer buffer)
    {
        final int offset = buffer.position();
        final int length = buffer.remaining();
        try
        {
            if (isFreeToSend(UnsafeApi.getLongVolatile(null, subscriberTokenAddress)))
            {
                return sent(writer.write(buffer, offset, length));
            }
            writer.checkLength(length);
            final long status = status();
            return status != 0 ? status : sent(writer.write(buffer, offset, length));
        }
        catch (final InternalError fault)
        {
            throw segment.faulted(fault);
        }
    }

    @Override
    public long tryClaim(final int length, final BufferClaim claim)
    {
        Objects.requireNonNull(claim, "claim");
        try
        {
            if (isFreeToSend(UnsafeApi.getLongVolatile(null, subscriberTokenAddress)))
            {
                return writer.claim(length, claim, completer);
            }
            writer.checkLength(length);
            final long status = status();
            return status != 0 ? status : writer.claim(length, claim, completer);
        }
        catch (final InternalError fault)
        {
            throw segment.faulted(fault);
        }
    }

    @Override
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * The channel this publisher sends into.
     *
     * @return the channel name.
     */
    public String channel()
    {
        return segment.name();
    }

    /**
     * Whether a subscriber is attached and, as far as the last liveness check knows, alive. Before any subscriber
     * has attached this is false, yet offers succeed: the first subscriber reads from the beginning.
     *
     * @return true if a live subscriber is attached.
     */
    public abstract boolean isConnected();

    /**
     * Whether any subscriber has attached since the channel was created; it may have left or died since.
     *
     * @return true once a subscriber has come.
     */
    public abstract boolean hadSubscriber();

    /**
     * Refreshes this publisher's heartbeat now. The registry's liveness thread does so every 100 ms anyway; call
     * this where that thread is not wanted or to prove progress from the publishing thread itself.
     */
    public void keepAlive()
    {
        synchronized (slotLock)
        {
            if (!closed)
            {
                PartySlots.heartbeat(
                    buffer, SegmentDescriptor.publisherSlotOffset(PartySlots.slotOf(session)) + SLOT_HEARTBEAT_OFFSET);
            }
        }
    }

    /**
     * A snapshot of the channel: parties, positions and counters.
     *
     * @return the channel's description.
     */
    public io.shmlink.api.ChannelInfo channelInfo()
    {
        return segment.describe(ProcessToken::partyInfo);
    }

    /**
     * Detaches this publisher. On an MPSC channel another thread of this publisher may still be inside an offer or
     * holding a claim: what it writes lands in its own record, which the subscriber holds until it lets go (see
     * {@code docs/DESIGN.md}). On an SPSC channel close must not race a send of another thread: the publisher is
     * used by one thread at a time, and a publisher attached right after would share the ring with it.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            connectedToken = NO_TOKEN;
            registry.detached(this);
            synchronized (slotLock)
            {
                PartySlots.detachPublisher(segment, session);
            }
            ringer.close();
        }
    }

    /**
     * Names this party in logs, such as the liveness thread's report of a failed check.
     *
     * @return the channel, its file and what this is.
     */
    @Override
    public String toString()
    {
        return "ShmLink publisher of channel '" + segment.name() + "' (" + segment.file() + "), session " + session;
    }

    @Override
    public final void onLivenessTick()
    {
        if (closed)
        {
            return;
        }
        segment.checkNotTruncated();
        keepAlive();
        watchSubscribers();
    }

    /**
     * The liveness tick's look at the subscribers: a verdict that they are gone must reset {@link #connectedToken}
     * to {@link #NO_TOKEN}, so that the next send takes the full check.
     */
    abstract void watchSubscribers();

    /**
     * The fast path of every send. {@link #NO_TOKEN} is excluded because it is what {@link #connectedToken} holds
     * after a close: a segment scribbled with that value must not make a closed publisher send.
     */
    private boolean isFreeToSend(final long token)
    {
        return token == connectedToken && token != NO_TOKEN;
    }

    /**
     * The slow path of every send: whether the subscriber token in the segment lets this publisher send, and if it
     * does, remembering that token in {@link #connectedToken} so the next sends check nothing else.
     *
     * @return 0 to send, else NOT_CONNECTED or CLOSED.
     */
    private long status()
    {
        final long token = UnsafeApi.getLongVolatile(null, subscriberTokenAddress);
        final long status = statusOf(token);
        if (status == 0)
        {
            connectedToken = token;
            // A close or a liveness verdict that ran since statusOf looked cleared connectedToken before this
            // store: look again, so this store cannot have undone it. (Both sides store their flag, then the
            // cached token; this side stores the cached token, then reads the flags: one of the two sees the other.)
            if (statusOf(token) != 0)
            {
                connectedToken = NO_TOKEN;
                return statusOf(token);
            }
        }
        return status;
    }

    private long statusOf(final long token)
    {
        if (closed || token == ProcessToken.DELETED)
        {
            return CLOSED;
        }
        return connectionStatus(token);
    }

    /**
     * Whether this publisher is connected, as the full check of a send sees it.
     *
     * @param token the subscriber token word of the header, neither {@code DELETED} nor read by a closed publisher.
     * @return 0 to send, or NOT_CONNECTED.
     */
    abstract long connectionStatus(long token);
}
