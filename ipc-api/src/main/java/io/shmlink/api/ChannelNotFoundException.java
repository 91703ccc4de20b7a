package io.shmlink.api;

/**
 * No channel of that name exists.
 */
public class ChannelNotFoundException extends ShmLinkException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the channel and its file.
     */
    public ChannelNotFoundException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, naming the channel and its file.
     * @param cause   the underlying failure.
     */
    public ChannelNotFoundException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
