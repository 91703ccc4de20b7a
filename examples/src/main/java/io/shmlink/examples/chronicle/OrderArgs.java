package io.shmlink.examples.chronicle;

/**
 * The command line of both processes of the example, {@code CHANNEL [COUNT]}.
 *
 * @param channel the channel's name.
 * @param count   how many orders to send or receive.
 */
record OrderArgs(String channel, int count)
{
    /** COUNT when it is not given. */
    static final int DEFAULT_COUNT = 1_000_000;

    /**
     * Reads the command line.
     *
     * @param args CHANNEL, then optionally COUNT (default 1,000,000).
     * @return the channel and the count.
     */
    static OrderArgs of(final String[] args)
    {
        return new OrderArgs(args[0], args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_COUNT);
    }
}
