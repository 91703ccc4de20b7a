package io.shmlink.shm.segment;

import io.shmlink.api.LostClaimInfo;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_LENGTH_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_PID_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_SEQUENCE_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_SESSION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_TIME_OFFSET;

/**
 * The segment's record of the last lost claim (its fields are drawn in {@link SegmentDescriptor}), guarded by a
 * sequence lock: it has one writer, the subscriber, and it is written rarely (a lost claim means a publisher died
 * or stalled for the claim timeout), so a reader almost never has to retry, and it must never wait on the writer.
 */
public final class LastLostClaim
{
    /** A reader that keeps meeting a write gives up: a subscriber that died mid-write leaves the sequence odd. */
    private static final int READ_ATTEMPTS = 16;

    private LastLostClaim()
    {
    }

    /**
     * Writes a lost claim down; only the channel's one subscriber calls this.
     *
     * @param header     the segment.
     * @param position   where the skipped record began.
     * @param length     bytes skipped.
     * @param session    the claimer's session from the record header, 0 for a zeroed gap.
     * @param pid        the claimer's process, 0 if unknown.
     * @param timeMillis when it was skipped.
     */
    public static void store(
        final UnsafeBuffer header,
        final long position,
        final int length,
        final int session,
        final long pid,
        final long timeMillis)
    {
        // odd whatever a predecessor that died mid-write left, and never back to 0 ("none")
        final long writing = (header.getLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET) + 1) | 1;
        header.putLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET, writing);
        // A volatile store keeps earlier accesses above it, not later ones below it: without the fence the field
        // stores could land before the odd sequence (on AArch64 they may), and a reader would take a mix of two
        // records for one under an unchanged even sequence.
        VarHandle.storeStoreFence();
        header.putLong(LAST_LOST_CLAIM_POSITION_OFFSET, position);
        header.putLong(LAST_LOST_CLAIM_TIME_OFFSET, timeMillis);
        header.putLong(LAST_LOST_CLAIM_PID_OFFSET, pid);
        header.putInt(LAST_LOST_CLAIM_LENGTH_OFFSET, length);
        header.putInt(LAST_LOST_CLAIM_SESSION_OFFSET, session);
        header.putLongRelease(LAST_LOST_CLAIM_SEQUENCE_OFFSET, writing + 1);
    }

    /**
     * Reads the last lost claim. From a mapping the sequence proves the fields whole; from a copy of the file
     * (how the registry's {@code lookup} and {@code list} describe a channel without mapping it) it cannot, as
     * the kernel does not copy a page atomically: a copy taken while the subscriber writes a record may hold a
     * mix of it and the one before.
     *
     * @param header the segment, or a copy of its header page.
     * @return the last lost claim; null if there was none, if it is being written, or if its writer died writing
     * it (until the next lost claim is written).
     */
    public static LostClaimInfo read(final UnsafeBuffer header)
    {
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
        {
            final long before = header.getLongAcquire(LAST_LOST_CLAIM_SEQUENCE_OFFSET);
            if (before == 0)
            {
                return null;
            }
            if ((before & 1) == 0)
            {
                final LostClaimInfo claim = new LostClaimInfo(
                    header.getLong(LAST_LOST_CLAIM_POSITION_OFFSET),
                    header.getInt(LAST_LOST_CLAIM_LENGTH_OFFSET),
                    header.getInt(LAST_LOST_CLAIM_SESSION_OFFSET),
                    header.getLong(LAST_LOST_CLAIM_PID_OFFSET),
                    header.getLong(LAST_LOST_CLAIM_TIME_OFFSET));
                VarHandle.acquireFence(); // the field loads above may not move below the second sequence load
                if (header.getLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET) == before)
                {
                    return claim;
                }
            }
            Thread.onSpinWait();
        }
        return null;
    }
}
