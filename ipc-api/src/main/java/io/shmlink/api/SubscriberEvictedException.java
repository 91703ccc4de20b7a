package io.shmlink.api;

/**
 * This subscriber of a fan-out channel held its publishers back for longer than the channel's slow-subscriber
 * timeout and was cut off: publishers went on without it, overwriting what it had not read. Thrown by its next
 * {@code poll}. Close it and attach again to join live; the messages in between are gone for it.
 */
public class SubscriberEvictedException extends ShmLinkException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the channel, its file, and how far behind the subscriber was.
     */
    public SubscriberEvictedException(final String message)
    {
        super(message);
    }
}
