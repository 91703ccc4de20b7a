package io.shmlink.examples.cli;

import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code --dir} option every subcommand shares, and how each kind of command opens the registry.
 */
public final class RegistryOptions
{
    @Option(names = "--dir", paramLabel = "DIR",
        description = "Registry directory (default: $SHMLINK_DIR if set, else /dev/shm/shmlink-$USER).")
    private Path dir;

    /**
     * The directory this command works on.
     *
     * @return {@code --dir}, else {@link ShmRegistry#defaultDirectory()}.
     */
    public Path directory()
    {
        return dir != null ? dir : ShmRegistry.defaultDirectory();
    }

    /**
     * Opens the registry for a command that changes it; creates the directory if absent, like the library does.
     *
     * @return the registry.
     * @throws io.shmlink.api.ShmLinkException if the directory is refused (a symbolic link, writable by others,
     *                                         owned by another user).
     */
    public ShmRegistry open()
    {
        return ShmRegistry.open(directory());
    }

    /**
     * Opens the registry for a command that should leave it exactly as it found it: a directory that does not
     * exist is not created (a mistyped {@code --dir} must not leave one behind), and creation debris is not
     * removed on open (only {@code clean} removes files, and counts what it removed).
     *
     * @param options settings; debris cleaning on open is switched off in them.
     * @return the registry, or empty if the directory does not exist.
     */
    public Optional<ShmRegistry> openExisting(final ShmRegistry.Options options)
    {
        // NOFOLLOW_LINKS: a symbolic link, even a dangling one, counts as present so that open() refuses it loudly.
        if (!Files.exists(directory(), LinkOption.NOFOLLOW_LINKS))
        {
            return Optional.empty();
        }
        return Optional.of(ShmRegistry.open(directory(), options.cleanDebrisOnOpen(false)));
    }

    /**
     * {@link #openExisting(ShmRegistry.Options)} with default settings.
     *
     * @return the registry, or empty if the directory does not exist.
     */
    public Optional<ShmRegistry> openExisting()
    {
        return openExisting(new ShmRegistry.Options());
    }
}
