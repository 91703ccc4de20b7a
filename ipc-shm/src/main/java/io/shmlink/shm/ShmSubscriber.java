package io.shmlink.shm;

import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Subscriber;
import io.shmlink.shm.liveness.PartySlots;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.ring.RingReader;
import io.shmlink.shm.segment.ChannelSegment;


import java.util.concurrent.atomic.AtomicLongArray;

import static io.shmlink.shm.segment.SegmentDescriptor.LOST_CLAIMS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.MAX_PUBLISHERS;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_HEARTBEAT_OFFSET;

/**
 * The subscriber of a shared-memory channel. Use it from one thread at a time. {@link #poll} allocates nothing.
 */
public final class ShmSubscriber implements Subscriber, Party
{
    private final ShmRegistry registry;
    private final ChannelSegment segment;
    private final RingReader reader;
    private volatile boolean closed;

    /**
     * Per publisher slot, the token the liveness thread last found dead there. The poll path compares tokens with
     * these instead of reading {@code /proc}, which allocates and takes microseconds.
     */
    private final AtomicLongArray deadTokens = new AtomicLongArray(MAX_PUBLISHERS);

    ShmSubscriber(final ShmRegistry registry, final ChannelSegment segment, final long claimTimeoutNs)
    {
        this.registry = registry;
        this.segment = segment;
        this.reader = new RingReader(
            segment, !ShmPublisher.isExclusive(segment), claimTimeoutNs, this::isClaimerDead);
    }

    @Override
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        if (messageLimit < 0 || handler == null)
        {
            throw badArguments(handler, messageLimit);
        }
        if (closed)
        {
            return 0;
        }
        final int messages = reader.read(handler, messageLimit);
        // A deleted channel's backlog is still delivered; only an empty poll looks for the mark, so a busy
        // subscriber pays nothing for it.
        if (messages == 0 && segment.buffer().getLongVolatile(SUBSCRIBER_TOKEN_OFFSET) == ProcessToken.DELETED)
        {
            throw deleted();
        }
        return messages;
    }

    private static RuntimeException badArguments(final MessageHandler handler, final int messageLimit)
    {
        return handler == null ? new NullPointerException("handler") :
            new IllegalArgumentException("messageLimit must be >= 0: " + messageLimit);
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
     * Claims that were never committed and that this channel's subscribers skipped.
     *
     * @return the count stored in the segment.
     */
    public long lostClaims()
    {
        return segment.buffer().getLongVolatile(LOST_CLAIMS_OFFSET);
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
        return segment.describe();
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            reader.publishCounters();
            closed = true;
            registry.detached(this);
            PartySlots.detachSubscriber(segment);
        }
    }

    @Override
    public void onLivenessTick()
    {
        if (!closed)
        {
            PartySlots.heartbeat(segment.buffer(), SUBSCRIBER_HEARTBEAT_OFFSET);
            reader.publishCounters();
            for (int slot = 0; slot < MAX_PUBLISHERS; slot++)
            {
                final long token = PartySlots.publisherToken(segment, slot);
                if (ProcessToken.isAttached(token) && !ProcessToken.isAlive(token))
                {
                    deadTokens.set(slot, token);
                }
            }
        }
    }

    /**
     * Whether the publisher that claimed a stalled record is gone. Session 0 means the claimer left no header, so
     * nobody can be blamed: such a gap waits for the claim timeout. (Guessing from "no publisher was alive at the
     * last liveness check" once skipped the claim of a publisher that had attached since and was merely slow,
     * and lost its message.)
     */
    private boolean isClaimerDead(final long session)
    {
        if (session == 0)
        {
            return false;
        }
        final int slot = PartySlots.slotOf(session);
        return slot >= 0 && PartySlots.isSessionOver(segment, session, deadTokens.get(slot));
    }
}
