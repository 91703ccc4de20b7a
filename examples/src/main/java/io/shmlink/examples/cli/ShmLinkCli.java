package io.shmlink.examples.cli;

import io.shmlink.api.ShmLinkException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The {@code shmlink} command: inspects and manages the channels of a ShmLink registry directory.
 * <p>
 * Exit codes: {@value #OK} on success; {@value #FAILURE} when the operation fails (a {@link ShmLinkException}:
 * missing channel, channel exists, refused directory, corrupt segment); {@value #USAGE} for usage errors (bad or
 * unknown options and subcommands, invalid names or sizes). Errors go to standard error as one line naming the
 * command, never as a stack trace.
 */
@Command(name = "shmlink", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Inspects and manages ShmLink channels in a registry directory.",
    subcommands = {
        ListCommand.class, StatCommand.class, CreateCommand.class, DeleteCommand.class, CleanCommand.class,
        BridgeCommand.class, HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:failure (missing channel, channel exists, refused directory, ...)",
        "2:usage error (bad option, unknown subcommand, invalid value)"})
public final class ShmLinkCli
{
    /** Exit code of success. */
    public static final int OK = 0;
    /** Exit code of a failed operation. */
    public static final int FAILURE = 1;
    /** Exit code of a usage error, picocli's default for invalid input. */
    public static final int USAGE = 2;

    /** {@code --dir} before the subcommand; {@link RegistryOptions#directory()} reads it when none comes after. */
    @Option(names = RegistryOptions.DIR_OPTION, paramLabel = "DIR",
        description = "Registry directory for the subcommand (default: $SHMLINK_DIR if set, else " +
            "/dev/shm/shmlink-$USER); also accepted after it.")
    private Path dir;

    /** {@code --group} before the subcommand; {@link RegistryOptions#group()} reads it when none comes after. */
    @Option(names = RegistryOptions.GROUP_OPTION, paramLabel = "GROUP",
        description = "Open the registry as shared with this Unix group (Options.shareWithGroup); also accepted " +
            "after the subcommand.")
    private String group;

    private ShmLinkCli()
    {
    }

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Runs the tool without exiting the JVM.
     *
     * @param args the command line.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        final CommandLine commandLine = commandLine();
        try
        {
            return commandLine.execute(args);
        }
        finally
        {
            commandLine.getOut().flush();
            commandLine.getErr().flush();
        }
    }

    /**
     * The configured command line, for callers that want to set its output streams.
     *
     * @return a new command line for {@code shmlink}.
     */
    public static CommandLine commandLine()
    {
        // Picocli makes the instance: the top level holds only --dir and --group; only its subcommands run anything.
        return new CommandLine(ShmLinkCli.class)
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(ShmLinkCli::usageError)
            .setExecutionExceptionHandler(ShmLinkCli::executionFailure);
    }

    /**
     * A short message instead of picocli's default full usage: the error, any "did you mean", and where help is.
     */
    private static int usageError(final ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        final String command = commandLine.getCommandSpec().qualifiedName();
        err.println(command + ": " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + command + " --help' for more information.");
        err.flush();
        return USAGE;
    }

    /**
     * Maps what the library throws to exit codes. Anything else is a bug in the tool: rethrown, so picocli prints
     * its stack trace.
     */
    private static int executionFailure(
        final Exception ex, final CommandLine commandLine, final ParseResult parseResult) throws Exception
    {
        final PrintWriter err = commandLine.getErr();
        final String command = commandLine.getCommandSpec().qualifiedName();
        if (ex instanceof ShmLinkException)
        {
            err.println(command + ": " + ex.getMessage());
            err.flush();
            return FAILURE;
        }
        if (ex instanceof IllegalArgumentException)
        {
            // The library's verdict on the user's input: an invalid channel name or configuration.
            err.println(command + ": " + ex.getMessage());
            err.println("Try '" + command + " --help' for more information.");
            err.flush();
            return USAGE;
        }
        throw ex;
    }
}
