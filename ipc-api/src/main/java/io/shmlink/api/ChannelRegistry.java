package io.shmlink.api;

import java.util.List;
import java.util.Optional;

/**
 * A directory of named channels shared by the processes of one host.
 * <p>
 * Names are 1 to 64 characters of {@code [A-Za-z0-9._-]}, not starting with a dot; anything else is an
 * {@link IllegalArgumentException}. Closing the registry closes every publisher and subscriber it made.
 */
public interface ChannelRegistry extends AutoCloseable
{
    /**
     * Creates a channel, atomically with respect to other processes.
     *
     * @param name   the channel name.
     * @param config its mode, capacity and maximum message length.
     * @return the new channel.
     * @throws ChannelExistsException if a channel of that name exists.
     */
    ChannelInfo create(String name, ChannelConfig config);

    /**
     * Opens the channel if it exists with this configuration, else creates it. Any number of processes may race
     * here: they all end on the same fully initialised channel.
     *
     * @param name   the channel name.
     * @param config the configuration the caller expects.
     * @return the channel.
     * @throws IncompatibleChannelException if the channel exists with another configuration.
     */
    ChannelInfo openOrCreate(String name, ChannelConfig config);

    /**
     * Reads a channel's description.
     *
     * @param name the channel name.
     * @return the channel, or empty if there is none of that name.
     * @throws CorruptChannelException if the file exists but is not a valid channel.
     */
    Optional<ChannelInfo> lookup(String name);

    /**
     * Lists the valid channels of this registry, sorted by name.
     *
     * @return the channels.
     */
    List<ChannelInfo> list();

    /**
     * Removes a channel's file. Processes that still map it keep their mapping until they close.
     *
     * @param name the channel name.
     * @return true if there was such a channel.
     */
    boolean delete(String name);

    /**
     * Attaches a publisher to a channel.
     *
     * @param name the channel name.
     * @return the publisher.
     * @throws ChannelNotFoundException if there is no such channel.
     * @throws ShmLinkException         if an SPSC channel already has a live publisher.
     */
    Publisher publisher(String name);

    /**
     * Attaches the subscriber of a channel. A channel has at most one live subscriber; one whose process died is
     * replaced, and the newcomer resumes where it stopped.
     *
     * @param name the channel name.
     * @return the subscriber.
     * @throws ChannelNotFoundException if there is no such channel.
     * @throws ShmLinkException         if the channel already has a live subscriber.
     */
    Subscriber subscriber(String name);

    /**
     * Removes channels whose parties are all dead, and debris of creations that were killed half-way.
     *
     * @return how many files were removed.
     */
    int cleanStale();

    /**
     * Closes every publisher and subscriber made by this registry.
     */
    @Override
    void close();
}
