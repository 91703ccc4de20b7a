package io.shmlink.shm.ring;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.segment.InMemorySegments;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Test base: a fresh MPSC ring of 4096 bytes in memory for each test, a subscriber's reader on it and the messages
 * it received, for tests that drive the claim and recovery steps one at a time.
 */
abstract class MpscRingFixture
{
    static final int CAPACITY = 4096;
    static final int SHIFT = Integer.numberOfTrailingZeros(CAPACITY);
    static final long TIMEOUT_NS = 1_000;
    static final int SESSION_A = (1 << 7) | 1;
    static final int SESSION_B = (1 << 7) | 2;

    final ChannelSegment segment =
        InMemorySegments.create(new ChannelConfig(ChannelMode.MPSC, CAPACITY, CAPACITY / 8));
    final UnsafeBuffer ring = segment.buffer();
    final RingReader reader = new RingReader(segment, true);
    final List<Long> received = new ArrayList<>();

    /**
     * Reads what there is with {@code reader} into {@link #received}: each message's first long, or minus its
     * length when it is shorter than a long.
     *
     * @param reader the subscriber reading.
     * @return how many messages it delivered.
     */
    int poll(final RingReader reader)
    {
        return reader.read((buffer, offset, length) -> received.add(length >= 8 ? buffer.getLong(offset) : -length),
            1000);
    }

    /**
     * Reads what there is with the fixture's {@link #reader}.
     *
     * @return how many messages it delivered.
     */
    int poll()
    {
        return poll(reader);
    }

    /**
     * Sends {@link #message}s of 0, 1, 2 and on until the ring is full.
     *
     * @param writer the publisher's writer.
     * @return how many went in.
     */
    static int sendNumberedUntilFull(final RingWriter writer)
    {
        int sent = 0;
        while (writer.write(message(sent), 0, 8) > 0)
        {
            sent++;
        }
        return sent;
    }

    /**
     * @param value the message's content.
     * @return an 8-byte message holding {@code value}.
     */
    static UnsafeBuffer message(final long value)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        message.putLong(0, value);
        return message;
    }
}
