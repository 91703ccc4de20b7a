package io.shmlink.examples.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * What every subcommand on a registry has: {@code --help} and {@code --version}, the {@code --dir} and
 * {@code --group} options, and picocli's model of the command, for its output streams and its usage errors.
 * Picocli applies this {@code @Command} first and each subclass's on top of it, so a subclass names only itself.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
abstract class RegistryCommand implements Callable<Integer>
{
    @Mixin
    RegistryOptions registry;

    @Spec
    CommandSpec spec;
}
