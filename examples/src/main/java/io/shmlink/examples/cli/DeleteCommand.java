package io.shmlink.examples.cli;

import io.shmlink.api.ChannelNotFoundException;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code shmlink delete}: removes a channel.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
        "Deletes a channel. Attached publishers then get CLOSED and the subscriber a ChannelNotFoundException; " +
            "the memory goes when the last process unmaps it.",
        "Fails (exit code 1) if there is no such channel."})
final class DeleteCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The channel to delete.")
    private String name;

    @Mixin
    private RegistryOptions registry;

    @Spec
    private CommandSpec spec;

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
