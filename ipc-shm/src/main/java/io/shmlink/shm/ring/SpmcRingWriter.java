package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;

/**
 * The writer of a single-producer fan-out ring (SPMC): claims as {@link SpscRingWriter} does, gated on the slowest
 * subscriber ({@link FanOutGate}), and commits by CAS ({@link #commitUnlessSkipped}). Use it from one thread at a
 * time.
 */
public final class SpmcRingWriter extends SpscRingWriter
{
    private final FanOutGate gate;

    /**
     * Attaches to the ring at its current tail.
     *
     * @param segment the mapped SPMC channel.
     * @param session this publisher's session, written into every record's type field.
     * @param gate    the subscribers' gate.
     */
    public SpmcRingWriter(final ChannelSegment segment, final int session, final FanOutGate gate)
    {
        super(segment, session);
        this.gate = gate;
    }

    @Override
    void commitCopied(final int recordOffset, final int claimedLength, final int length)
    {
        commitUnlessSkipped(recordOffset, claimedLength, length);
    }

    @Override
    long releasedPosition()
    {
        return gate.refresh();
    }
}
