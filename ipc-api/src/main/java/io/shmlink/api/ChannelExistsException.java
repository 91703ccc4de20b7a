package io.shmlink.api;

/**
 * A channel of that name already exists.
 */
public class ChannelExistsException extends ShmLinkException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the channel and its file.
     */
    public ChannelExistsException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, naming the channel and its file.
     * @param cause   the underlying failure.
     */
    public ChannelExistsException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
