package io.shmlink.examples.cli;

import io.shmlink.api.ShmLinkException;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The {@code --dir} option every subcommand shares, and how each kind of command opens the registry. It may come
 * before the subcommand too ({@code shmlink --dir X list}, an option of {@link ShmLinkCli}); after it wins.
 */
public final class RegistryOptions
{
    /** The option's name, on the top-level command and on every subcommand. */
    static final String DIR_OPTION = "--dir";

    @Option(names = DIR_OPTION, paramLabel = "DIR",
        description = "Registry directory (default: $SHMLINK_DIR if set, else /dev/shm/shmlink-$USER).")
    private Path dir;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    /**
     * The directory this command works on.
     *
     * @return {@code --dir} after the subcommand, else before it, else {@link ShmRegistry#defaultDirectory()}.
     */
    public Path directory()
    {
        if (dir != null)
        {
            return dir;
        }
        for (CommandSpec parent = command.parent(); parent != null; parent = parent.parent())
        {
            final OptionSpec option = parent.findOption(DIR_OPTION);
            if (option != null && option.getValue() != null)
            {
                return option.getValue();
            }
        }
        return ShmRegistry.defaultDirectory();
    }

    /**
     * Opens the registry for a command that changes it; creates the directory if absent, like the library does
     * (its parent must exist).
     *
     * @return the registry.
     * @throws io.shmlink.api.ShmLinkException if the directory is refused (relative, without a parent, on disk, a
     *                                         symbolic link, writable by others, owned by another user).
     */
    public ShmRegistry open()
    {
        return ShmRegistry.open(directory());
    }

    /**
     * Opens the registry for a command that should leave it exactly as it found it: a directory that does not
     * exist is a failure naming it, not created (a mistyped {@code --dir} must neither leave one behind nor read
     * as an empty registry), and creation debris is not removed on open (only {@code clean} removes files, and
     * names what it removed).
     *
     * @param options settings; debris cleaning on open is switched off in them.
     * @return the registry.
     * @throws io.shmlink.api.ShmLinkException if the directory does not exist or is refused.
     */
    public ShmRegistry openExisting(final ShmRegistry.Options options)
    {
        // NOFOLLOW_LINKS: a symbolic link, even a dangling one, counts as present so that open() refuses it loudly.
        final Path directory = directory();
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
        {
            throw new ShmLinkException("registry directory " + directory + " does not exist (check --dir and " +
                "SHMLINK_DIR; shmlink create makes it)");
        }
        return ShmRegistry.open(directory, options.cleanDebrisOnOpen(false));
    }

    /**
     * {@link #openExisting(ShmRegistry.Options)} with default settings.
     *
     * @return the registry.
     * @throws io.shmlink.api.ShmLinkException if the directory does not exist or is refused.
     */
    public ShmRegistry openExisting()
    {
        return openExisting(new ShmRegistry.Options());
    }
}
