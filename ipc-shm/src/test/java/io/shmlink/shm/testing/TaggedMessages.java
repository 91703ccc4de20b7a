package io.shmlink.shm.testing;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.zip.CRC32C;

/**
 * Messages that name their publisher, for channels with many: {@code [publisher int][seq long][filler][crc int]},
 * 16 bytes to {@code maxLength}, the length and filler derived from publisher and seq, the CRC32C over everything
 * before it. A {@link Verifier} checks per-publisher order, gaps, duplicates and every byte.
 */
public final class TaggedMessages
{
    /** Shortest message: publisher, seq and CRC. */
    public static final int MIN_LENGTH = 16;

    private final int maxLength;
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch;

    /**
     * @param maxLength longest message, at least {@link #MIN_LENGTH}.
     */
    public TaggedMessages(final int maxLength)
    {
        this.maxLength = maxLength;
        this.scratch = new byte[maxLength];
    }

    /**
     * @param publisher the publisher's id.
     * @param seq       its sequence number.
     * @return the message length, uniform in [16, maxLength].
     */
    public int length(final int publisher, final long seq)
    {
        final long mixed = mix(seq * 31 + publisher);
        return MIN_LENGTH + (int)Long.remainderUnsigned(mixed, maxLength - MIN_LENGTH + 1L);
    }

    /**
     * Writes a message.
     *
     * @param publisher the publisher's id.
     * @param seq       its sequence number.
     * @param buffer    destination.
     * @param offset    where the message starts.
     * @return its length.
     */
    public int write(final int publisher, final long seq, final MutableDirectBuffer buffer, final int offset)
    {
        final int length = length(publisher, seq);
        buffer.putInt(offset, publisher);
        buffer.putLong(offset + 4, seq);
        final byte fill = (byte)mix(seq ^ publisher);
        buffer.setMemory(offset + 12, length - MIN_LENGTH, fill);
        buffer.putInt(offset + length - 4, checksum(buffer, offset, length - 4));
        return length;
    }

    /**
     * Checks that a received message is whole: long enough, of the length its publisher and seq call for, and
     * its CRC32C matching. Says nothing of order.
     *
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @return null if whole, else what is wrong.
     */
    public String checkContent(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_LENGTH)
        {
            return "message of " + length + " bytes is too short to be ours";
        }
        final int publisher = buffer.getInt(offset);
        final long seq = buffer.getLong(offset + 4);
        if (publisher < 0 || seq < 0 || length != length(publisher, seq))
        {
            return "publisher " + publisher + " seq " + seq + ": length " + length;
        }
        if (buffer.getInt(offset + length - 4) != checksum(buffer, offset, length - 4))
        {
            return "publisher " + publisher + " seq " + seq + ": CRC32C mismatch";
        }
        return null;
    }

    private int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.getBytes(offset, scratch, 0, length);
        crc.reset();
        crc.update(scratch, 0, length);
        return (int)crc.getValue();
    }

    private static long mix(final long z0)
    {
        long z = z0 + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Checks messages from many publishers: each publisher's sequence must run 0, 1, 2, ... with every byte
     * intact. Records the first failure.
     */
    public static final class Verifier implements io.shmlink.api.MessageHandler
    {
        private final TaggedMessages messages;
        private final java.util.concurrent.atomic.AtomicLongArray next;
        private final java.util.concurrent.atomic.AtomicLongArray missing;
        private final java.util.BitSet gapsAllowed = new java.util.BitSet();
        private volatile long total;
        private volatile String failure;

        /**
         * @param maxLength  longest message.
         * @param publishers publisher ids are in [0, publishers).
         */
        public Verifier(final int maxLength, final int publishers)
        {
            this.messages = new TaggedMessages(maxLength);
            this.next = new java.util.concurrent.atomic.AtomicLongArray(publishers);
            this.missing = new java.util.concurrent.atomic.AtomicLongArray(publishers);
        }

        /**
         * Lets one publisher's sequence skip ahead (messages it lost, counted by {@link #missing}); a duplicate or
         * a step back is still a failure.
         *
         * @param publisher a publisher id.
         * @return this.
         */
        public Verifier allowGaps(final int publisher)
        {
            gapsAllowed.set(publisher);
            return this;
        }

        /**
         * @param publisher a publisher id whose gaps are allowed.
         * @return how many of its sequence numbers were skipped so far.
         */
        public long missing(final int publisher)
        {
            return missing.get(publisher);
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            total = total + 1; // only the polling thread writes
            if (failure != null)
            {
                return;
            }
            if (length < MIN_LENGTH)
            {
                failure = messages.checkContent(buffer, offset, length);
                return;
            }
            final int publisher = buffer.getInt(offset);
            if (publisher < 0 || publisher >= next.length())
            {
                failure = "unknown publisher " + publisher;
                return;
            }
            final long seq = buffer.getLong(offset + 4);
            final long expected = next.get(publisher);
            if (seq > expected && gapsAllowed.get(publisher))
            {
                missing.lazySet(publisher, missing.get(publisher) + seq - expected);
            }
            else if (seq != expected)
            {
                failure = "publisher " + publisher + ": seq " + seq + ", expected " + expected +
                    (seq < expected ? " (duplicate or reorder)" : " (gap)");
                return;
            }
            final String damage = messages.checkContent(buffer, offset, length);
            if (damage != null)
            {
                failure = damage;
                return;
            }
            next.lazySet(publisher, seq + 1);
        }

        /**
         * @param publisher a publisher id.
         * @return the sequence number it is expected to send next: how many of its messages arrived in order so
         * far, counting any it lost (see {@link #allowGaps}).
         */
        public long received(final int publisher)
        {
            return next.get(publisher);
        }

        /** @return every message handed over, valid or not. */
        public long total()
        {
            return total;
        }

        /** @return the first failure, or null. */
        public String failure()
        {
            return failure;
        }
    }
}
