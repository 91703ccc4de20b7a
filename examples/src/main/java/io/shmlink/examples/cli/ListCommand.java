package io.shmlink.examples.cli;

import io.shmlink.api.ChannelInfo;
import io.shmlink.api.PartyInfo;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.socket.ShmServerSocket;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code shmlink list}: one row per channel.
 */
@Command(name = "list", description = {
    "Lists the channels of a registry, one row each: name, kind (a channel, or a server socket's request " +
        "channel), mode, capacity, maximum message length, backlog in bytes, publishers alive and dead, the " +
        "subscriber (alive, dead or none; for a fan-out channel, subscribers attached out of the most it admits, " +
        "e.g. 2/3, and how many of them are dead if any, e.g. 2/3,1-dead), and a server socket's live " +
        "connections (accepted, not yet closed; a connection's own channels are unlinked once accepted and are " +
        "not listed).",
    "Sizes use the notation create accepts (64k = 65536 bytes); the backlog is in bytes."})
final class ListCommand extends RegistryCommand
{
    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final List<ChannelInfo> channels;
        try (ShmRegistry shm = registry.openExisting())
        {
            channels = shm.list();
        }
        if (channels.isEmpty())
        {
            out.println("no channels in " + registry.directory());
            return ShmLinkCli.OK;
        }
        final Table table = new Table("NAME", "KIND", "MODE", "CAPACITY", "MAX-MESSAGE", "BACKLOG", "PUBS-ALIVE",
            "PUBS-DEAD", "SUBSCRIBER", "CONNECTIONS");
        for (final ChannelInfo channel : channels)
        {
            final long alive = channel.publishers().stream().filter(PartyInfo::alive).count();
            final OptionalLong connections = ShmServerSocket.liveConnections(channel);
            table.add(
                channel.name(),
                connections.isPresent() ? "server-socket" : "channel",
                channel.mode(),
                SizeConverter.format(channel.capacity()),
                SizeConverter.format(channel.maxMessageLength()),
                channel.backlogBytes(),
                alive,
                channel.publishers().size() - alive,
                subscriberState(channel),
                connections.isPresent() ? Long.toString(connections.getAsLong()) : "-");
        }
        table.print(out);
        return ShmLinkCli.OK;
    }

    /**
     * The SUBSCRIBER cell of a channel, without spaces.
     *
     * @param channel a channel.
     * @return for a queue, its subscriber's state ({@code alive}, {@code dead} or {@code none}); for a fan-out
     *         channel, subscribers attached out of the most it admits ({@code 2/3}), with the dead ones among them
     *         when there are any ({@code 2/3,1-dead}).
     */
    static String subscriberState(final ChannelInfo channel)
    {
        if (!channel.mode().isFanOut())
        {
            return subscriberState(channel.subscriber());
        }
        final SubscriberCounts counts = SubscriberCounts.of(channel.subscribers());
        return counts.attached() + "/" + channel.maxSubscribers() +
            (counts.dead() == 0 ? "" : "," + counts.dead() + "-dead") +
            (counts.evicted() == 0 ? "" : "," + counts.evicted() + "-evicted");
    }

    static String subscriberState(final PartyInfo subscriber)
    {
        if (subscriber == null)
        {
            return "none";
        }
        return subscriber.alive() ? "alive" : "dead";
    }
}
