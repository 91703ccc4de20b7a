package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.ring.RecordDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

import static io.shmlink.shm.segment.SegmentDescriptor.CONSUMED_UP_TO_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.HEAD_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.READY_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.READY_VALUE;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;

/**
 * Test kit: a channel segment in native memory of this process instead of a mapped
 * file, laid out and initialised exactly as {@link ChannelSegment#create} lays out a file, so that a
 * {@link io.shmlink.shm.ring.RingWriter} and a {@link io.shmlink.shm.ring.RingReader} can be raced against each
 * other thousands of times a second (jcstress allocates a fresh segment per trial, which files could not keep up
 * with). Living in this package, it reaches {@code ChannelSegment}'s package-private constructor, so the core
 * classes need not widen theirs.
 */
public final class InMemorySegments
{
    private InMemorySegments()
    {
    }

    /**
     * A fresh, empty, ready segment.
     *
     * @param config the channel's shape.
     * @return the segment; its memory is freed when it is garbage collected.
     */
    public static ChannelSegment create(final ChannelConfig config)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            (int)FanOutDescriptor.mappedLength(config), SegmentDescriptor.PADDED_REGION));
        ChannelSegment.writeHeader(
            buffer, config, System.currentTimeMillis(), ChannelSegment.DEFAULT_SLOW_SUBSCRIBER_TIMEOUT_MS);
        ChannelSegment.markFreshRing(buffer, config, 0);
        buffer.putIntRelease(READY_OFFSET, READY_VALUE);
        return new ChannelSegment("in-memory", Path.of("(in memory)"), config, buffer);
    }

    /**
     * A fresh, empty segment whose positions all start at {@code position} instead of 0, as if that many bytes had
     * been sent and consumed: a ring can be made to wrap on its first record.
     *
     * @param config   the channel's shape.
     * @param position on a record boundary, not negative.
     * @return the segment.
     */
    public static ChannelSegment createAt(final ChannelConfig config, final long position)
    {
        if (position < 0 || (position & (RecordDescriptor.ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException("position must be on a record boundary and not negative: " + position);
        }
        final ChannelSegment segment = create(config);
        final UnsafeBuffer buffer = segment.buffer();
        buffer.putLong(HEAD_POSITION_OFFSET, position);
        buffer.putLong(CONSUMED_UP_TO_OFFSET, position);
        buffer.putLongRelease(TAIL_POSITION_OFFSET, position);
        ChannelSegment.markFreshRing(buffer, config, position);
        return segment;
    }
}
