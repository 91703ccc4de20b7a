package io.shmlink.api;

/**
 * Every failure of ShmLink that is not a programming error: a refused attach, a corrupt or incompatible segment, a
 * dead peer. Messages name the channel and its file.
 */
public class ShmLinkException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the channel and its file.
     */
    public ShmLinkException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, naming the channel and its file.
     * @param cause   the underlying failure.
     */
    public ShmLinkException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
