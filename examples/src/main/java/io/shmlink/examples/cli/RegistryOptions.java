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
 * The {@code --dir} and {@code --group} options every subcommand shares, and how each kind of command opens the
 * registry. Each may come before the subcommand too ({@code shmlink --dir X list}, an option of
 * {@link ShmLinkCli}); after it wins.
 */
public final class RegistryOptions
{
    /** The option's name, on the top-level command and on every subcommand. */
    static final String DIR_OPTION = "--dir";

    @Option(names = DIR_OPTION, paramLabel = "DIR",
        description = "Registry directory (default: $SHMLINK_DIR if set, else /dev/shm/shmlink-$USER).")
    private Path dir;

    /** The group option's name, on the top-level command and on every subcommand. */
    static final String GROUP_OPTION = "--group";

    @Option(names = GROUP_OPTION, paramLabel = "GROUP",
        description = "Open the registry as shared with this Unix group: a directory created is 0770 and files " +
            "0660, of the group; an existing one must be of the group, 0770, and may be owned by another member.")
    private String group;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    /**
     * The directory this command works on.
     *
     * @return {@code --dir} after the subcommand, else before it, else {@link ShmRegistry#defaultDirectory()}.
     */
    public Path directory()
    {
        final Path given = dir != null ? dir : inherited(DIR_OPTION);
        return given != null ? given : ShmRegistry.defaultDirectory();
    }

    /**
     * The group the registry is shared with.
     *
     * @return {@code --group} after the subcommand, else before it, else null: owner only.
     */
    public String group()
    {
        return group != null ? group : inherited(GROUP_OPTION);
    }

    private <T> T inherited(final String name)
    {
        for (CommandSpec parent = command.parent(); parent != null; parent = parent.parent())
        {
            final OptionSpec option = parent.findOption(name);
            if (option != null && option.getValue() != null)
            {
                return option.getValue();
            }
        }
        return null;
    }

    private ShmRegistry.Options withGroup(final ShmRegistry.Options options)
    {
        final String shared = group();
        return shared != null ? options.shareWithGroup(shared) : options;
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
        return ShmRegistry.open(directory(), withGroup(new ShmRegistry.Options()));
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
        return ShmRegistry.open(directory, withGroup(options).cleanDebrisOnOpen(false));
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
