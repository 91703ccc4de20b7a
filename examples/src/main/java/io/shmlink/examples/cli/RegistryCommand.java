package io.shmlink.examples.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * What every subcommand on a registry has: the {@code --dir} and {@code --group} options, and picocli's model of
 * the command, for its output streams and its usage errors.
 */
abstract class RegistryCommand implements Callable<Integer>
{
    @Mixin
    RegistryOptions registry;

    @Spec
    CommandSpec spec;
}
