package io.shmlink.examples.cli;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelInfo;
import io.shmlink.api.ChannelMode;
import io.shmlink.shm.ShmRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.time.Duration;

/**
 * {@code shmlink create}: creates a channel, failing if one of that name exists.
 */
@Command(name = "create", description = {
    "Creates a channel. Fails (exit code 1) if a channel of that name exists.",
    "SIZE is a number of bytes, optionally followed by k, m or g (binary: 64k = 65536).",
    "A fan-out channel (spmc, mpmc) admits up to --subscribers subscribers at once, each of which receives " +
        "every message; one that holds the publishers back for longer than --slow-subscriber-timeout is " +
        "evicted."})
final class CreateCommand extends RegistryCommand
{
    @Parameters(index = "0", paramLabel = "NAME",
        description = "1 to 64 characters of [A-Za-z0-9._-], not starting with a dot.")
    private String name;

    @Option(names = "--mode", required = true, paramLabel = "MODE",
        description = "spsc or mpsc: a queue with one or many publishers and one subscriber; spmc or mpmc: fan-out " +
            "with one or many publishers, every subscriber receiving every message.")
    private ChannelMode mode;

    @Option(names = "--capacity", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
        description = "Bytes of ring data: a power of two from 4k to 1g.")
    private int capacity;

    @Option(names = "--max-message-length", paramLabel = "SIZE", converter = SizeConverter.class,
        description = "The longest message, at most capacity / 8 (default: capacity / 8).")
    private Integer maxMessageLength;

    @Option(names = "--subscribers", paramLabel = "N", defaultValue = "1",
        description = "How many subscribers may be attached at once: 1 to " + ChannelConfig.MAX_SUBSCRIBERS +
            " for spmc and mpmc, only 1 for spsc and mpsc (default: ${DEFAULT-VALUE}).")
    private int subscribers;

    @Option(names = "--slow-subscriber-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "spmc and mpmc only: how long a live subscriber may hold the publishers back before it is " +
            "evicted, e.g. 500ms, 5s; 0s for never (default: 5s).")
    private Duration slowSubscriberTimeout;

    @Override
    public Integer call()
    {
        // Checked before the registry is opened, so that a rejected configuration creates no directory.
        final ChannelConfig config = new ChannelConfig(
            mode, capacity, maxMessageLength != null ? maxMessageLength : capacity / 8, subscribers);
        if (slowSubscriberTimeout != null && !mode.isFanOut())
        {
            throw new ParameterException(spec.commandLine(), "--slow-subscriber-timeout applies only to fan-out " +
                "channels (spmc, mpmc); the subscriber of an " + mode + " channel is never evicted");
        }
        final ChannelInfo created;
        try (ShmRegistry shm = registry.open())
        {
            created = slowSubscriberTimeout != null ?
                shm.create(name, config, slowSubscriberTimeout) : shm.create(name, config);
        }
        final String fanOut = !created.mode().isFanOut() ? "" : ", up to " + created.maxSubscribers() +
            (created.maxSubscribers() == 1 ? " subscriber" : " subscribers") + ", slow-subscriber timeout " +
            formatTimeout(created.slowSubscriberTimeoutMillis());
        spec.commandLine().getOut().println("created channel " + created.name() + ": " + created.mode() +
            ", capacity " + SizeConverter.format(created.capacity()) + " (" + created.capacity() + " bytes)" +
            ", max message length " + SizeConverter.format(created.maxMessageLength()) +
            " (" + created.maxMessageLength() + " bytes)" + fanOut + ", file " + created.file());
        return ShmLinkCli.OK;
    }

    /**
     * A fan-out channel's slow-subscriber timeout as {@code --slow-subscriber-timeout} reads it.
     *
     * @param millis the timeout, 0 for never.
     * @return e.g. {@code 5s}, or {@code 0s (never)}.
     */
    static String formatTimeout(final long millis)
    {
        return millis == 0 ? "0s (never)" : DurationConverter.format(Duration.ofMillis(millis));
    }
}
