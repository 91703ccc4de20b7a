package io.shmlink.examples.cli;

import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code shmlink clean}: removes what dead processes left behind.
 */
@Command(name = "clean", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Removes channels whose parties are all dead and that have been idle longer than the grace "
        + "period, the temporary files of creations that were killed half-way, and the doorbell sockets and "
        + "alive files of dead processes; prints how many files it removed.")
final class CleanCommand implements Callable<Integer>
{
    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long a channel without live parties must have been idle, e.g. 0s, 10s, 5m "
            + "(default: ${DEFAULT-VALUE}).")
    private Duration grace;

    @Mixin
    private RegistryOptions registry;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call()
    {
        // Debris cleaning on open is off in openExisting, so that cleanStale counts the debris it removes.
        final Optional<ShmRegistry> opened = registry.openExisting(new ShmRegistry.Options().staleGrace(grace));
        final int removed;
        try
        {
            removed = opened.map(ShmRegistry::cleanStale).orElse(0);
        }
        finally
        {
            opened.ifPresent(ShmRegistry::close);
        }
        spec.commandLine().getOut().println("removed " + removed + (removed == 1 ? " file" : " files") +
            " from " + registry.directory() + " (grace " + DurationConverter.format(grace) + ")");
        return ShmLinkCli.OK;
    }
}
