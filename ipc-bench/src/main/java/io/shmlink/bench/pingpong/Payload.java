package io.shmlink.bench.pingpong;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a throughput message holds, so that the sender writes fresh data into every message and the sink has to read
 * every byte of it to answer correctly.
 * <p>
 * Layout of a message of sequence {@code s}, in native-order longs {@code k = 0, 1, ...}: long 0 is the
 * {@link BurstProtocol} word; the first long of every further 64-byte line of the message ({@code k % 8 == 0}) is
 * the stamp {@code s * }{@value #STAMP_MULTIPLIER}{@code  + k}, which changes with every message; every other long
 * is {@link #PATTERN}, and bytes after the last whole long are {@link #PATTERN_BYTE}. So every cache line of every
 * message changes from one message to the next.
 * <p>
 * The checksum is {@link #fold}: the sum, modulo 2<sup>64</sup>, of every long and every trailing byte. A stamp is
 * never 0 in practice and differs from line to line, so a sink that skips a line, a message or a byte-range gets a
 * different sum; the sender computes the sum it expects ({@link #expectedBurst}) from the layout, without reading
 * its messages back.
 * <p>
 * An instance is the sender's: it owns a source buffer of one message, filled once with the pattern, in which
 * {@link #stamp} rewrites the protocol word and the stamps for each message (for {@link SendMode#OFFER});
 * {@link #fill} writes a whole message elsewhere (for {@link SendMode#CLAIM}). Used by one thread.
 */
public final class Payload
{
    /** Multiplier of the sequence in a stamp: odd, so distinct sequences give distinct stamps. */
    public static final long STAMP_MULTIPLIER = 0x9E3779B97F4A7C15L;

    /** The byte of the unstamped part. */
    public static final byte PATTERN_BYTE = 0x5A;

    /** The long of the unstamped part: eight {@link #PATTERN_BYTE}s. */
    public static final long PATTERN = 0x5A5A5A5A5A5A5A5AL;

    private static final int LONGS_PER_LINE = 8;

    private final int length;
    private final int longs;
    private final int stamps;
    private final long constant;
    private final UnsafeBuffer source;

    /**
     * @param length bytes per message, at least {@link Long#BYTES}.
     * @throws IllegalArgumentException if shorter.
     */
    public Payload(final int length)
    {
        if (length < Long.BYTES)
        {
            throw new IllegalArgumentException("a message needs at least 8 bytes for its sequence: " + length);
        }
        this.length = length;
        this.longs = length / Long.BYTES;
        this.stamps = (longs - 1) / LONGS_PER_LINE;
        final long stampIndexSum = (long)LONGS_PER_LINE * stamps * (stamps + 1) / 2;
        final long patternLongs = longs - 1 - stamps;
        final long trailingBytes = length - (long)longs * Long.BYTES;
        this.constant = stampIndexSum + patternLongs * PATTERN + trailingBytes * PATTERN_BYTE;
        this.source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(length, 64), 64));
        source.setMemory(0, source.capacity(), PATTERN_BYTE);
    }

    /**
     * What a pinger's burst starts with: the payload it made before, or, on its first burst, a new one; a latency
     * run never makes one.
     *
     * @param payload the pinger's payload, or null before its first burst.
     * @param length  bytes per message.
     * @return the payload to use and keep.
     */
    static Payload orNew(final Payload payload, final int length)
    {
        return payload != null ? payload : new Payload(length);
    }

    /**
     * @return bytes per message.
     */
    public int length()
    {
        return length;
    }

    /**
     * Rewrites the source buffer's protocol word and stamps for a message; the rest of it holds the pattern already.
     *
     * @param sequence the message's sequence number, positive.
     * @param last     whether it ends its burst.
     * @return the source buffer, holding the message at offset 0.
     */
    public UnsafeBuffer stamp(final long sequence, final boolean last)
    {
        final UnsafeBuffer buffer = source;
        buffer.putLong(0, BurstProtocol.encode(sequence, last));
        final long stamp = sequence * STAMP_MULTIPLIER;
        for (int k = LONGS_PER_LINE; k < longs; k += LONGS_PER_LINE)
        {
            buffer.putLong(k * Long.BYTES, stamp + k);
        }
        return buffer;
    }

    /**
     * Writes a whole message, in one pass, where the transport claimed room for it: line by line, the line's first
     * long and then seven of the pattern, after one bounds check of the whole message, so that writing in place costs
     * about what {@link #stamp} and a copy from the source buffer cost (as a loop that checks bounds and picks stamp
     * or pattern at every long does not), and a claim is measured against an offer for what the transport does.
     *
     * @param buffer   the claimed buffer.
     * @param offset   where the message starts in it.
     * @param sequence the message's sequence number, positive.
     * @param last     whether it ends its burst.
     * @throws IndexOutOfBoundsException if the message does not fit in {@code buffer} at {@code offset}.
     */
    public void fill(final MutableDirectBuffer buffer, final int offset, final long sequence, final boolean last)
    {
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;
        final long stamp = sequence * STAMP_MULTIPLIER;
        final int longs = this.longs;
        for (int line = 0; line < longs; line += LONGS_PER_LINE)
        {
            final long lineAddress = address + (long)line * Long.BYTES;
            UnsafeApi.putLong(array, lineAddress, line == 0 ? BurstProtocol.encode(sequence, last) : stamp + line);
            final int lineLongs = Math.min(LONGS_PER_LINE, longs - line);
            for (int k = 1; k < lineLongs; k++)
            {
                UnsafeApi.putLong(array, lineAddress + (long)k * Long.BYTES, PATTERN);
            }
        }
        final int tail = longs * Long.BYTES;
        if (tail < length)
        {
            buffer.setMemory(offset + tail, length - tail, PATTERN_BYTE);
        }
    }

    /**
     * @param sequence a message's sequence number.
     * @param last     whether it ends its burst.
     * @return {@link #fold} of that message.
     */
    public long expected(final long sequence, final boolean last)
    {
        return BurstProtocol.encode(sequence, last) + stamps * sequence * STAMP_MULTIPLIER + constant;
    }

    /**
     * @param firstSequence the sequence of a burst's first message.
     * @param count         how many messages it has; the last asks for an acknowledgement.
     * @return the sum of {@link #fold} over the burst's messages, as a sink that read every byte reports it.
     */
    public long expectedBurst(final long firstSequence, final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += expected(firstSequence + i, i == count - 1);
        }
        return sum;
    }

    /**
     * The checksum of a message: reads every byte of it once.
     *
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @return the sum of its native-order longs and of the unsigned bytes after the last whole long, modulo
     * 2<sup>64</sup>.
     */
    public static long fold(final DirectBuffer buffer, final int offset, final int length)
    {
        long sum = 0;
        final int tail = length & ~(Long.BYTES - 1);
        for (int i = 0; i < tail; i += Long.BYTES)
        {
            sum += buffer.getLong(offset + i);
        }
        for (int i = tail; i < length; i++)
        {
            sum += buffer.getByte(offset + i) & 0xFF;
        }
        return sum;
    }
}
