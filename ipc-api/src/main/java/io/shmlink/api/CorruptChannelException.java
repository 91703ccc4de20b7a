package io.shmlink.api;

/**
 * A channel's shared memory holds a value that cannot be valid; the message names the channel, its file and the field.
 */
public class CorruptChannelException extends ShmLinkException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the channel and its file.
     */
    public CorruptChannelException(final String message)
    {
        super(message);
    }
}
