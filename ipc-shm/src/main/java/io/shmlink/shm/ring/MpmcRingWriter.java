package io.shmlink.shm.ring;

import io.shmlink.shm.segment.ChannelSegment;

/**
 * The writer of a multi-producer fan-out ring (MPMC): claims as {@link MpscRingWriter} does, leaving the word after
 * each claim inside space marked free for its lap, gated on the slowest subscriber ({@link FanOutGate}), and
 * commits by CAS ({@link #commitUnlessSkipped}). One instance may be used by many threads at once.
 */
public final class MpmcRingWriter extends MpscRingWriter
{
    private final FanOutGate gate;

    /**
     * Attaches to the ring.
     *
     * @param segment the mapped MPMC channel.
     * @param session this publisher's session, written into every record's type field.
     * @param gate    the subscribers' gate.
     */
    public MpmcRingWriter(final ChannelSegment segment, final int session, final FanOutGate gate)
    {
        super(segment, session, RecordDescriptor.HEADER_LENGTH);
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
