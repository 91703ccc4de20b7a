package io.shmlink.chronicle;

import io.shmlink.api.BufferClaim;
import io.shmlink.api.Publisher;
import io.shmlink.shm.ring.RecordDescriptor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import org.agrona.MutableDirectBuffer;

import java.nio.BufferOverflowException;
import java.util.Objects;

/**
 * Publishes Chronicle {@link BytesMarshallable} messages (and {@link BytesStore} ranges) by writing them straight
 * into a claimed record of the channel through one reused Chronicle {@link Bytes} view over the ring memory, with
 * no intermediate buffer and no allocation per message; use it from one thread at a time (it reuses one claim and
 * one view), one instance per thread on an MPSC channel.
 * <p>
 * A marshallable's length is not known before it is written, so {@link #offer(BytesMarshallable)} claims room,
 * writes, and commits what was written ({@link BufferClaim#commit(int)}: the unused end of the claim becomes
 * padding that the subscriber skips). The whole claim takes ring space, so the claims are fitted to the messages:
 * the first claims the claim length (the channel's maximum message length unless the constructor is given less),
 * later ones exactly the longest message written so far, so that a DTO of fixed shape fills its claim and leaves no
 * padding behind it. A message that outgrows its claim is aborted and written again into a claim twice as long (up
 * to the claim length), so its {@code writeMarshallable} runs more than once; a message longer than the claim
 * length is refused. A {@code writeMarshallable} that throws aborts the claim before
 * the exception leaves {@code offer}: nothing is delivered and nothing stays claimed.
 */
public final class BytesPublisher implements AutoCloseable
{
    private final Publisher publisher;
    /** What {@link #offer(BytesMarshallable)} claims: the most a marshallable may take. */
    private final int claimLength;
    /** The smallest claim a message that outgrew its claim is written again into. */
    private static final int MIN_RETRY_CLAIM = 64;

    private final BufferClaim claim = new BufferClaim();
    /** What the next marshallable claims: the claim length until a message was written, then fitted to them. */
    private int fittedClaim;
    private int longestWritten;
    private final PointerBytesStore store;
    private final Bytes<Void> view;

    /**
     * Wraps a publisher.
     *
     * @param publisher the channel's publisher; closed by {@link #close()}.
     * @throws io.shmlink.api.ShmLinkException naming the JVM flags Chronicle needs, if this JVM lacks them.
     */
    public BytesPublisher(final Publisher publisher)
    {
        this(publisher, Objects.requireNonNull(publisher, "publisher").maxMessageLength());
    }

    /**
     * Wraps a publisher whose marshallables are at most {@code claimLength} bytes once written: each
     * {@link #offer(BytesMarshallable)} claims that much instead of the channel's maximum, so the ring holds
     * {@code capacity / claimLength} of them; a longer one is refused as a message longer than the channel's
     * maximum is.
     *
     * @param publisher   the channel's publisher; closed by {@link #close()}.
     * @param claimLength the most one message may take, 0 to the channel's maximum message length.
     * @throws IllegalArgumentException        if {@code claimLength} is out of that range.
     * @throws io.shmlink.api.ShmLinkException naming the JVM flags Chronicle needs, if this JVM lacks them.
     */
    public BytesPublisher(final Publisher publisher, final int claimLength)
    {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        if (claimLength < 0 || claimLength > publisher.maxMessageLength())
        {
            throw new IllegalArgumentException("claim length " + claimLength + " is not within 0 and the " +
                "channel's maximum message length " + publisher.maxMessageLength());
        }
        ChronicleFlags.verify();
        this.claimLength = claimLength;
        this.fittedClaim = claimLength;
        this.store = new PointerBytesStore();
        this.view = store.bytesForWrite();
        view.singleThreadedCheckDisabled(true);
    }

    /**
     * Writes a message's {@code writeMarshallable} output straight into the ring and publishes it.
     *
     * @param message written by its {@code writeMarshallable}.
     * @return the position after the message ({@code > 0}), or {@link Publisher#BACK_PRESSURED},
     * {@link Publisher#NOT_CONNECTED} or {@link Publisher#CLOSED}, as {@link Publisher#tryClaim} returns them; the
     * message was not written unless the result is positive.
     * @throws IllegalArgumentException if the message is longer than the channel's maximum message length, naming
     *                                  both; nothing is left claimed.
     * @throws RuntimeException         whatever {@code writeMarshallable} throws, after the claim was aborted.
     */
    public long offer(final BytesMarshallable message)
    {
        Objects.requireNonNull(message, "message");
        return offer(message, fittedClaim);
    }

    private long offer(final BytesMarshallable message, final int claimed)
    {
        final long result = publisher.tryClaim(claimed, claim);
        if (result < 0)
        {
            return result;
        }
        final Bytes<Void> bytes = claimed();
        final int length;
        try
        {
            message.writeMarshallable(bytes);
            final long written = bytes.writePosition();
            if (written < 0 || written > claimed)
            {
                // Chronicle bounds writes to the view's capacity, the claim; this only guards the commit below
                throw new BufferOverflowException();
            }
            length = (int)written;
        }
        catch (final BufferOverflowException ex)
        {
            claim.abort();
            if (claimed < claimLength)
            {
                // longer than any before: again, in a claim twice as long (a claim of the maximum would take far
                // more of the ring than a message of a slightly longer string needs)
                return offer(message, (int)Math.min(claimLength, Math.max(2L * claimed, MIN_RETRY_CLAIM)));
            }
            throw tooLongOrRethrow(message, ex);
        }
        catch (final RuntimeException | Error ex)
        {
            claim.abort();
            throw ex;
        }
        claim.commit(length);
        fit(length);
        return result;
    }

    /**
     * Sizes the next claims to the whole record the longest message written so far takes: a DTO of fixed shape
     * then fills its record, so no padding record follows it and the ring holds as many as the subscriber leaves
     * room for, and a slightly longer one fits the same record. A longer still costs one abort and a second write,
     * once per new longest record.
     */
    private void fit(final int length)
    {
        if (length > longestWritten)
        {
            longestWritten = length;
            fittedClaim = Math.min(claimLength, RecordDescriptor.recordLength(length) - RecordDescriptor.HEADER_LENGTH);
        }
    }

    /**
     * Copies {@code bytes} from {@code readPosition()} to {@code readLimit()} into a claimed record of exactly that
     * length and publishes it; the source's positions are not changed.
     *
     * @param bytes the message.
     * @return as {@link #offer(BytesMarshallable)}.
     * @throws IllegalArgumentException if the range is longer than the channel's maximum message length, naming
     *                                  both; nothing is claimed.
     */
    public long offer(final BytesStore<?, ?> bytes)
    {
        final long start = bytes.readPosition();
        final long length = bytes.readRemaining();
        if (length > publisher.maxMessageLength())
        {
            throw tooLong(length, publisher.maxMessageLength());
        }
        final long result = publisher.tryClaim((int)length, claim);
        if (result < 0)
        {
            return result;
        }
        try
        {
            claimed().write(bytes, start, length);
        }
        catch (final RuntimeException | Error ex)
        {
            claim.abort();
            throw ex;
        }
        claim.commit();
        return result;
    }

    /**
     * @return the most a marshallable may take once written: the claim length, by default the channel's maximum.
     */
    public int claimLength()
    {
        return claimLength;
    }

    /** Points the view at the claimed region, empty and writable up to the claim's length. */
    private Bytes<Void> claimed()
    {
        final MutableDirectBuffer buffer = claim.buffer();
        store.set(buffer.addressOffset() + claim.offset(), claim.length());
        view.clear(); // positions to 0, write limit to the new capacity
        return view;
    }

    /**
     * A marshallable wrote past the claim: finds how long it is by writing it again into growing heap memory (the
     * error path only; it allocates), so the exception names both lengths. If it turns out to fit, the overflow
     * was the marshallable's own and is rethrown.
     */
    private RuntimeException tooLongOrRethrow(final BytesMarshallable message, final BufferOverflowException ex)
    {
        final Bytes<byte[]> measure = Bytes.allocateElasticOnHeap(claimLength + 64);
        final long length;
        try
        {
            message.writeMarshallable(measure);
            length = measure.writePosition();
        }
        catch (final RuntimeException again)
        {
            ex.addSuppressed(again);
            return ex;
        }
        finally
        {
            measure.releaseLast();
        }
        if (length <= claimLength)
        {
            return ex;
        }
        final IllegalArgumentException tooLong = tooLong(length, claimLength);
        tooLong.initCause(ex);
        return tooLong;
    }

    private IllegalArgumentException tooLong(final long length, final int limit)
    {
        return new IllegalArgumentException("message length " + length + " exceeds the maximum message length " +
            limit + (limit == publisher.maxMessageLength() ? " of the channel" :
            " this publisher claims (the channel's is " + publisher.maxMessageLength() + ")") +
            "; nothing was sent");
    }

    /**
     * Closes the publisher. Idempotent.
     */
    @Override
    public void close()
    {
        publisher.close();
    }
}
