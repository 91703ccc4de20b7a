package io.shmlink.shm;

import io.shmlink.shm.liveness.SubscriberSlots;
import io.shmlink.shm.ring.RecordDescriptor;
import io.shmlink.shm.segment.ChannelSegment;
import io.shmlink.shm.wait.DoorbellRinger;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmlink.shm.segment.FanOutDescriptor.*;
import static io.shmlink.shm.segment.SegmentDescriptor.BACK_PRESSURE_EVENTS_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.TAIL_POSITION_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SIGNALLED;
import static io.shmlink.shm.segment.SegmentDescriptor.WAIT_STATE_SLEEPING;

/**
 * What a fan-out publisher does for its channel's subscribers off the hot path: rings the doorbells of those that
 * sleep, frees the slots of dead ones, and evicts a live one that holds the publishers back for longer than the
 * channel's slow-subscriber timeout. The last two run on the registry's liveness thread, every tick.
 * <p>
 * A subscriber <i>holds publishers back</i> while its progress (its head, or its read position while a skipped
 * claim holds its head) stands still, the ring is too full from its head for the longest record (so it is among
 * those a refused claim waits for), and sends are being refused meanwhile. One that reads on behind a held claim is
 * never evicted: the publisher that holds the claim is what holds the others back (see {@code docs/DESIGN.md}).
 */
final class SlowSubscribers
{
    private final ChannelSegment segment;
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int subscribers;
    private final long timeoutMs;

    /** Tail minus a subscriber's head above which a claim of the longest message may be refused. */
    private final long blockingLag;

    /** Per slot, what the last tick saw: attachment, progress, and since when (ms) and from which count it stood. */
    private final long[] attachments;
    private final long[] progress;
    private final long[] stuckSinceMs;
    private final long[] refusalsWhenStuck;

    SlowSubscribers(final ChannelSegment segment)
    {
        this.segment = segment;
        this.buffer = segment.buffer();
        this.capacity = segment.config().capacity();
        this.subscribers = segment.config().maxSubscribers();
        this.timeoutMs = buffer.getLongVolatile(regionOffset(capacity) + SLOW_SUBSCRIBER_TIMEOUT_OFFSET);
        final int longestRecord = BitUtil.align(
            segment.config().maxMessageLength() + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        this.blockingLag = capacity - 2L * longestRecord - RecordDescriptor.HEADER_LENGTH;
        this.attachments = new long[subscribers];
        this.progress = new long[subscribers];
        this.stuckSinceMs = new long[subscribers];
        this.refusalsWhenStuck = new long[subscribers];
    }

    /**
     * Rings every subscriber that announced it sleeps; the CAS from asleep to signalled picks one ringer per sleep.
     *
     * @param ringer this publisher's doorbell ringer.
     */
    void wakeSleepers(final DoorbellRinger ringer)
    {
        for (int slot = 0; slot < subscribers; slot++)
        {
            final int offset = slotOffset(capacity, slot);
            if (buffer.getIntVolatile(offset + SLOT_WAIT_STATE_OFFSET) == WAIT_STATE_SLEEPING &&
                buffer.compareAndSetInt(offset + SLOT_WAIT_STATE_OFFSET, WAIT_STATE_SLEEPING, WAIT_STATE_SIGNALLED))
            {
                ringer.ring(buffer.getLongVolatile(offset + SLOT_TOKEN_OFFSET),
                    buffer.getIntVolatile(offset + SLOT_DOORBELL_OFFSET));
            }
        }
    }

    /**
     * Whether any subscriber ever attached to the channel.
     *
     * @return true once one has.
     */
    boolean hadSubscriber()
    {
        for (int slot = 0; slot < subscribers; slot++)
        {
            if (generation(SubscriberSlots.attachment(segment, slot)) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /** Frees dead subscribers' slots and evicts one that held the publishers back too long. */
    void onLivenessTick()
    {
        SubscriberSlots.freeDead(segment);
        if (timeoutMs <= 0)
        {
            return;
        }
        final long now = System.currentTimeMillis();
        final long refusals = buffer.getLongVolatile(BACK_PRESSURE_EVENTS_OFFSET);
        final long tail = buffer.getLongVolatile(TAIL_POSITION_OFFSET);
        for (int slot = 0; slot < subscribers; slot++)
        {
            final int offset = slotOffset(capacity, slot);
            final long attachment = buffer.getLongVolatile(offset + SLOT_ATTACHMENT_OFFSET);
            final long head = buffer.getLongVolatile(offset + SLOT_HEAD_OFFSET);
            final long moved = Math.max(head, buffer.getLongVolatile(offset + SLOT_READ_POSITION_OFFSET));
            // lag from its progress: one that read on behind a held claim up to the tail holds nobody back
            // an attach in progress gates publishers too, so one that stands still is evicted as well
            final int state = state(attachment);
            final boolean blocking =
                (state == STATE_ATTACHED || state == STATE_ATTACHING) && tail - moved > blockingLag;
            if (!blocking || attachment != attachments[slot] || moved != progress[slot])
            {
                attachments[slot] = attachment;
                progress[slot] = moved;
                stuckSinceMs[slot] = now;
                refusalsWhenStuck[slot] = refusals;
                continue;
            }
            if (now - stuckSinceMs[slot] > timeoutMs && refusals != refusalsWhenStuck[slot])
            {
                SubscriberSlots.evict(segment, slot, attachment, tail - moved);
                stuckSinceMs[slot] = now;
            }
        }
    }
}
