package io.shmlink.examples.cli;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code shmlink create}: creates a channel, failing if one of that name exists.
 */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
        "Creates a channel. Fails (exit code 1) if a channel of that name exists.",
        "SIZE is a number of bytes, optionally followed by k, m or g (binary: 64k = 65536)."})
final class CreateCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "NAME",
        description = "1 to 64 characters of [A-Za-z0-9._-], not starting with a dot.")
    private String name;

    @Option(names = "--mode", required = true, paramLabel = "MODE",
        description = "spsc (one publisher) or mpsc (many publishers).")
    private ChannelMode mode;

    @Option(names = "--capacity", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
        description = "Bytes of ring data: a power of two from 4k to 1g.")
    private int capacity;

    @Option(names = "--max-message-length", paramLabel = "SIZE", converter = SizeConverter.class,
        description = "The longest message, at most capacity / 8 (default: capacity / 8).")
    private Integer maxMessageLength;

    @Mixin
    private RegistryOptions registry;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call()
    {
        // Checked before the registry is opened, so that a rejected configuration creates no directory.
        final ChannelConfig config =
            new ChannelConfig(mode, capacity, maxMessageLength != null ? maxMessageLength : capacity / 8);
        final ChannelInfo created;
        try (ShmRegistry shm = registry.open())
        {
            created = shm.create(name, config);
        }
        spec.commandLine().getOut().println("created channel " + created.name() + ": " + created.mode() +
            ", capacity " + SizeConverter.format(created.capacity()) + " (" + created.capacity() + " bytes)" +
            ", max message length " + SizeConverter.format(created.maxMessageLength()) +
            " (" + created.maxMessageLength() + " bytes), file " + created.file());
        return ShmLinkCli.OK;
    }
}
