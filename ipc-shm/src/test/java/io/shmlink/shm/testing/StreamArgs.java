package io.shmlink.shm.testing;

import java.nio.file.Path;

/**
 * The arguments {@link StreamPublisherMain} and {@link StreamVerifierMain} begin with: directory channel count seed.
 *
 * @param dir     the registry directory.
 * @param channel the channel.
 * @param count   how many messages of the stream.
 * @param seed    the stream's seed.
 */
record StreamArgs(Path dir, String channel, long count, long seed)
{
    /**
     * @param args a main's arguments.
     * @return the first four, parsed.
     */
    static StreamArgs parse(final String[] args)
    {
        return new StreamArgs(Path.of(args[0]), args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
    }
}
