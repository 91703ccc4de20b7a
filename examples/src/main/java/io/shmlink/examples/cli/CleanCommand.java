package io.shmlink.examples.cli;

import io.shmlink.aeron.AeronBridge;
import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code shmlink clean}: removes what dead processes left behind, naming each file.
 */
@Command(name = "clean", description = {
    "Removes channels whose creator and parties are all dead and that have been idle for --grace or longer, " +
        "channels nobody ever attached to once their creator is dead and they are at least as old as " +
        "--unattached-grace (a channel made ahead of its users is not debris), the temporary files of " +
        "creations that were killed half-way, the doorbell sockets and alive files of dead processes, and the " +
        "media driver directories (.aeron-TOKEN-N) of dead bridges.",
    "Prints each file it removes, then how many."})
final class CleanCommand extends RegistryCommand
{
    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long a channel whose parties are all dead must have been idle, e.g. 0s, 10s, 5m " +
            "(default: ${DEFAULT-VALUE}).")
    private Duration grace;

    @Option(names = "--unattached-grace", paramLabel = "DURATION", defaultValue = "1h",
        converter = DurationConverter.class,
        description = "How old a channel nobody ever attached to must be, its creator dead (default: " +
            "${DEFAULT-VALUE}).")
    private Duration unattachedGrace;

    @Option(names = "--dry-run", description = "List what would be removed; remove nothing.")
    private boolean dryRun;

    @Override
    public Integer call()
    {
        // Debris cleaning on open is off in openExisting, so that this lists the debris it removes.
        final List<Path> removed;
        try (ShmRegistry shm =
            registry.openExisting(new ShmRegistry.Options().staleGrace(grace).unattachedGrace(unattachedGrace)))
        {
            removed = new ArrayList<>(dryRun ? shm.findStale() : shm.removeStale());
        }
        try
        {
            removed.addAll(dryRun ? AeronBridge.findStaleDrivers(registry.directory()) :
                AeronBridge.cleanStaleDrivers(registry.directory()));
        }
        catch (final IOException ex)
        {
            throw new ShmLinkException("cannot clean the media driver directories of dead bridges in " +
                registry.directory() + ": " + ex, ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        for (final Path file : removed)
        {
            out.println((dryRun ? "would remove " : "removed ") + file);
        }
        out.println((dryRun ? "would remove " : "removed ") + removed.size() +
            (removed.size() == 1 ? " file" : " files") + " from " + registry.directory() + " (grace " +
            DurationConverter.format(grace) + ", unattached grace " + DurationConverter.format(unattachedGrace) + ")");
        return ShmLinkCli.OK;
    }
}
