package io.shmlink.api;

/**
 * The channel exists but with another configuration or a layout version this library does not read.
 */
public class IncompatibleChannelException extends ShmLinkException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the channel and its file.
     */
    public IncompatibleChannelException(final String message)
    {
        super(message);
    }
}
