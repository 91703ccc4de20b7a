package io.shmlink.examples.cli;

import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code shmlink delete}: removes a channel.
 */
@Command(name = "delete", description = {
    "Deletes a channel. Attached publishers then get CLOSED and the subscriber a ChannelNotFoundException; " +
        "the memory goes when the last process unmaps it.",
    "Fails (exit code 1) if there is no such channel."})
final class DeleteCommand extends RegistryCommand
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The channel to delete.")
    private String name;

    @Override
    public Integer call()
    {
        final boolean deleted;
        try (ShmRegistry shm = registry.openExisting())
        {
            deleted = shm.delete(name);
        }
        if (!deleted)
        {
            throw new ChannelNotFoundException("no channel '" + name + "' in " + registry.directory());
        }
        spec.commandLine().getOut().println("deleted channel " + name + " from " + registry.directory());
        return ShmLinkCli.OK;
    }
}
