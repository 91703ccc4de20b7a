package io.shmlink.examples.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * Reads the version from the jar manifest, which the build writes, so that it never disagrees with the pom.
 */
public final class VersionProvider implements IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        final String version = ShmLinkCli.class.getPackage().getImplementationVersion();
        return new String[] {"shmlink " + (version != null ? version : "(version unknown: not run from shmlink.jar)")};
    }
}
