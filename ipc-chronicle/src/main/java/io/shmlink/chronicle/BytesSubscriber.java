package io.shmlink.chronicle;

import io.shmlink.api.MessageHandler;
import io.shmlink.api.Subscriber;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.PointerBytesStore;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Hands each message of a channel to Chronicle code in place: as one reused {@link Bytes} view over the record in
 * the ring, or read by {@code readMarshallable} into one reused object, with no copy and no allocation per message;
 * use it from one thread at a time, as the {@link Subscriber} it wraps.
 * <p>
 * The view spans exactly the message (the channel has checked the record's length against the ring and the
 * channel's maximum), so a {@code readMarshallable} that reads past it gets Chronicle's
 * {@link java.nio.BufferUnderflowException}, never memory outside the record: shared memory is untrusted, and a
 * marshallable that reads lengths from it must bound them as well. Such an exception leaves {@code poll} as a
 * handler's exception does: the message it was given counts as consumed.
 */
public final class BytesSubscriber implements AutoCloseable
{
    private final Subscriber subscriber;
    private final PointerBytesStore store;
    private final Bytes<Void> view;

    /** A subscriber that hands heap buffers (none in ShmLink): wrapped once per array, not per message. */
    private byte[] heapArray;
    private Bytes<byte[]> heapView;

    private BytesHandler bytesHandler;
    private BytesMarshallable reusable;
    private Consumer<BytesMarshallable> consumer;

    /** Made once: {@link #poll} passes these, never a capturing lambda. */
    private final MessageHandler toBytesHandler = (buffer, offset, length) -> bytesHandler.onMessage(wrap(
        buffer, offset, length));
    private final MessageHandler toMarshallable = (buffer, offset, length) ->
    {
        reusable.readMarshallable(wrap(buffer, offset, length));
        consumer.accept(reusable);
    };

    /**
     * Wraps a subscriber.
     *
     * @param subscriber the channel's subscriber; closed by {@link #close()}.
     * @throws io.shmlink.api.ShmLinkException naming the JVM flags Chronicle needs, if this JVM lacks them.
     */
    public BytesSubscriber(final Subscriber subscriber)
    {
        this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
        ChronicleFlags.verify();
        this.store = new PointerBytesStore();
        this.view = store.bytesForRead();
        view.singleThreadedCheckDisabled(true);
    }

    /**
     * Hands up to {@code messageLimit} messages to {@code handler}, each as the same view moved to the message.
     *
     * @param handler      receives each message; must not keep the view past its call.
     * @param messageLimit the most messages to deliver.
     * @return messages delivered.
     */
    public int poll(final BytesHandler handler, final int messageLimit)
    {
        bytesHandler = Objects.requireNonNull(handler, "handler");
        try
        {
            return subscriber.poll(toBytesHandler, messageLimit);
        }
        finally
        {
            bytesHandler = null;
        }
    }

    /**
     * Reads up to {@code messageLimit} messages, each by {@code reusable.readMarshallable} straight from the ring,
     * and hands {@code reusable} to {@code handler} after each.
     *
     * @param reusable     filled by each message in turn.
     * @param handler      receives {@code reusable} once per message.
     * @param messageLimit the most messages to deliver.
     * @param <T>          the message type.
     * @return messages delivered.
     */
    @SuppressWarnings("unchecked")
    public <T extends BytesMarshallable> int poll(final T reusable, final Consumer<T> handler, final int messageLimit)
    {
        this.reusable = Objects.requireNonNull(reusable, "reusable");
        this.consumer = (Consumer<BytesMarshallable>)Objects.requireNonNull(handler, "handler");
        try
        {
            return subscriber.poll(toMarshallable, messageLimit);
        }
        finally
        {
            this.reusable = null;
            this.consumer = null;
        }
    }

    /** Moves a view onto the message: readable from 0 to {@code length}. */
    private Bytes<?> wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array == null)
        {
            store.set(buffer.addressOffset() + offset, length);
            view.clear(); // write limit to the new capacity, which bounds the read limit
            view.readPositionRemaining(0, length);
            return view;
        }
        if (array != heapArray)
        {
            heapArray = array;
            heapView = Bytes.wrapForRead(array);
            heapView.singleThreadedCheckDisabled(true);
        }
        final long start = buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET + offset;
        heapView.readPositionRemaining(start, length);
        return heapView;
    }

    /**
     * Closes the subscriber. Idempotent.
     */
    @Override
    public void close()
    {
        subscriber.close();
    }
}
