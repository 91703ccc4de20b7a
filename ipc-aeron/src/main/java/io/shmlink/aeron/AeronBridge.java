package io.shmlink.aeron;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Counter;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.shmlink.api.ChannelConfig;
import io.shmlink.api.ChannelExistsException;
import io.shmlink.api.MessageHandler;
import io.shmlink.api.Publisher;
import io.shmlink.api.SubscriberEvictedException;
import io.shmlink.shm.ShmPublisher;
import io.shmlink.shm.ShmRegistry;
import io.shmlink.shm.ShmSubscriber;
import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.ProcessToken;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Carries one ShmLink channel between hosts over Aeron, so that local programs keep the ShmLink API.
 * <ul>
 *   <li>{@link #outbound outbound}: a ShmLink subscriber of the local channel; each message is offered to an Aeron
 *       publication (Aeron fragments what exceeds its payload). A back-pressured or not connected publication holds
 *       the message, and with it the local subscriber, back: nothing is dropped while the bridge runs, except on a
 *       fan-out channel that evicts the held-back bridge ({@link #evictions()}; it joins again, live). While no
 *       Aeron subscriber is connected the bridge does not read the local channel at all: messages wait there.</li>
 *   <li>{@link #inbound inbound}: an Aeron subscription whose messages are reassembled
 *       ({@link ControlledFragmentAssembler}) and offered to a ShmLink publisher of the local channel. A full local
 *       channel (or one without its subscriber) aborts the fragment, so the bridge stops consuming Aeron until the
 *       offer succeeds: Aeron's flow control then holds the remote publisher back. A message longer than the local
 *       channel's {@code maxMessageLength} is counted ({@link #oversizeDropped()}), logged and skipped. Meant for
 *       one outbound bridge per stream: of several Aeron publishers (images), the oldest is drained first.</li>
 * </ul>
 * The local channel is used as it is if it exists; else it is created with {@link Options#localConfig} (by default
 * {@link #DEFAULT_LOCAL_CONFIG}: SPSC, 1 MiB ring, messages up to 128 KiB).
 * <p>
 * Each bridge runs one <b>daemon</b> thread ({@code shmlink-bridge-out-NAME} or {@code shmlink-bridge-in-NAME}), so
 * a bridge never keeps a JVM alive: close it to stop it. Aeron adds its client conductor's thread and, embedded, the
 * driver's, daemons as well. By default each bridge embeds its own media driver ({@link ThreadingMode#SHARED}: one
 * driver thread, backing off when idle) in a directory {@code <registry>/.aeron-<token>-<n>}, deleted when the
 * bridge closes, or by {@link #cleanStaleDrivers} after a crash or an exit without close; {@link Options#aeronDir}
 * uses an external driver instead. The token names the bridge's process as ShmLink's parties are named
 * ({@link ProcessToken}), so that a cleaner in another PID namespace tells a live bridge from a dead one.
 * <p>
 * What a crash loses ({@code docs/ACROSS-HOSTS.md}): a dead outbound bridge, what it had handed to Aeron that the
 * other side had not received (its driver dies with it); a dead inbound bridge, what its driver had received but
 * not yet put into the local channel, and what the sender sent before flow control stopped it (together at most
 * Aeron's receiver window). A restarted inbound bridge joins the Aeron stream at its live position: nothing is
 * replayed. A restarted outbound bridge reads an SPSC or MPSC channel from where its predecessor stopped, so the
 * messages of the poll it died in may be sent twice; on a fan-out channel it joins live. {@link #close()} gives up a message held while Aeron pushes
 * back ({@link #lostOnClose()}).
 * <p>
 * The counters are also kept in the media driver's counters file, where other processes ({@code shmlink stat}) read
 * them through {@link BridgeCounters}.
 * <p>
 * Thread safety: the factories, the counters, {@link #isLinkUp()}, {@link #isRunning()}, {@link #failure()} and
 * {@link #close()} may be called from any thread; the bridge's channels and Aeron resources are used only by its own
 * thread.
 */
public final class AeronBridge implements AutoCloseable
{
    /** The local channel an inbound or outbound bridge creates if it is absent, unless the options give another. */
    public static final ChannelConfig DEFAULT_LOCAL_CONFIG = ChannelConfig.spsc(1 << 20);

    /** The stream id the command line uses unless told otherwise. */
    public static final int DEFAULT_STREAM_ID = 1001;

    /** Messages handed over per poll of the source. */
    private static final int POLL_LIMIT = 64;

    private static final String DRIVER_DIR_PREFIX = ".aeron-";
    /** An embedded driver's directory: {@code .aeron-<token>-<n>}, the token of its process in 16 hex digits. */
    private static final Pattern DRIVER_DIR = Pattern.compile("\\.aeron-([0-9a-f]{16})-\\d+");
    /** As bridges named it before the token: {@code .aeron-<pid>-<n>}; looked at after {@link #DRIVER_DIR}. */
    private static final Pattern PID_DRIVER_DIR = Pattern.compile("\\.aeron-(\\d{1,10})-\\d+");
    /**
     * A {@link #PID_DRIVER_DIR} directory younger than this is kept: bridges of that naming made their driver's
     * directory before they took their alive file, so a young one may belong to a bridge still starting in another
     * PID namespace, which no pid check here can see.
     */
    static final long PID_DRIVER_DIR_START_UP_MILLIS = 60_000;
    private static final AtomicInteger DRIVER_SEQUENCE = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(AeronBridge.class.getName());

    /** Aeron's threads (client conductor, embedded driver) are daemons too, like the bridge's own. */
    private static final java.util.concurrent.ThreadFactory DAEMON = runnable ->
    {
        final Thread thread = new Thread(runnable);
        thread.setDaemon(true);
        return thread;
    };

    /** Which way a bridge carries messages. */
    public enum Direction
    {
        /** Local channel to Aeron. */
        OUTBOUND,
        /** Aeron to local channel. */
        INBOUND
    }

    /**
     * How a bridge is set up; every setting has a default. Not thread-safe; read once when a bridge starts.
     */
    public static final class Options
    {
        private Path aeronDir;
        private ChannelConfig localConfig = DEFAULT_LOCAL_CONFIG;
        private Supplier<IdleStrategy> idleStrategy = BackoffIdleStrategy::new;
        private ThreadingMode driverThreading = ThreadingMode.SHARED;

        /**
         * Uses the running media driver in this directory instead of embedding one.
         *
         * @param dir the external driver's Aeron directory, or null to embed a driver (the default).
         * @return this.
         */
        public Options aeronDir(final Path dir)
        {
            this.aeronDir = dir;
            return this;
        }

        /**
         * The configuration of the local channel when the bridge has to create it.
         *
         * @param config the channel's shape; {@link #DEFAULT_LOCAL_CONFIG} by default.
         * @return this.
         */
        public Options localConfig(final ChannelConfig config)
        {
            this.localConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * How the bridge's thread waits when there is nothing to carry or the far side pushes back.
         *
         * @param idleStrategy makes a fresh strategy (two per bridge); Agrona's {@link BackoffIdleStrategy} (spin,
         *                     yield, then park 1 us up to 1 ms) by default; a {@code BusySpinIdleStrategy} for the
         *                     lowest latency on a dedicated core.
         * @return this.
         */
        public Options idleStrategy(final Supplier<IdleStrategy> idleStrategy)
        {
            this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
            return this;
        }

        /**
         * The threading of the embedded media driver; ignored with {@link #aeronDir}.
         *
         * @param mode {@link ThreadingMode#SHARED} (one thread) by default; DEDICATED uses three.
         * @return this.
         */
        public Options driverThreading(final ThreadingMode mode)
        {
            this.driverThreading = Objects.requireNonNull(mode, "mode");
            return this;
        }
    }

    private final Direction direction;
    private final ShmRegistry registry;
    private final String channel;
    private final String aeronChannel;
    private final int streamId;
    private final IdleStrategy idle;
    private final IdleStrategy retryIdle;

    private MediaDriver driver;
    private Aeron aeron;
    private Publication publication;
    private Subscription subscription;
    private ControlledFragmentAssembler assembler;
    private ShmSubscriber localSubscriber;
    private ShmPublisher localPublisher;
    private int localMaxMessageLength;
    /** Mirrors of the counters in the driver's counters file, for other processes: {@link BridgeCounters}. */
    private final Counter[] counters = new Counter[BridgeCounters.METRICS.length];

    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private final AtomicBoolean closed = new AtomicBoolean();

    // Written by the bridge's thread only (lazySet), read by anyone; mirrored in the driver's counters file.
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong backPressureEvents = new AtomicLong();
    private final AtomicLong oversize = new AtomicLong();
    private final AtomicLong lostOnClose = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    // Written by the bridge's thread (outbound) or Aeron's client conductor (inbound).
    private final AtomicLong linkUps = new AtomicLong();
    private final AtomicLong linkDowns = new AtomicLong();

    /** Whether the message in hand has already been counted as back-pressured. */
    private boolean holding;
    /** Outbound: whether the publication was connected when the bridge's thread last looked; read by anyone. */
    private volatile boolean outboundLinkUp;

    private final MessageHandler outboundHandler = this::forward;

    /**
     * Fan-out: the message in hand, copied out of the ring. A fan-out channel may evict this bridge while Aeron
     * holds it back, and publishers then write over the ring under a view of it: so the message is copied, the poll
     * confirms the copy is whole (it throws if the subscriber was evicted meanwhile), and only then is it sent.
     */
    private UnsafeBuffer pending;
    private int pendingLength = -1;
    private final MessageHandler copyOut = this::copyOut;

    /** Thrown out of a handler to end a poll: the bridge is closing, or Aeron refused the message for good. */
    private static final RuntimeException STOP = new RuntimeException("bridge stopping", null, false, false)
    {
        private static final long serialVersionUID = 1L;
    };

    /** Inbound: the local channel was closed or deleted; stops the bridge (a handler's exception Aeron swallows). */
    private volatile RuntimeException inboundFailure;
    private final ControlledFragmentHandler inboundHandler = this::deliver;
    private final Consumer<Image> pollImage = this::pollImage;
    private int inboundWork;
    private boolean inboundDone;

    private AeronBridge(
        final Direction direction, final ShmRegistry registry, final String channel, final String aeronChannel,
        final int streamId, final Options options)
    {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.direction = direction;
        this.channel = Objects.requireNonNull(channel, "channel");
        this.aeronChannel = Objects.requireNonNull(aeronChannel, "aeronChannel");
        this.streamId = streamId;
        this.idle = options.idleStrategy.get();
        this.retryIdle = options.idleStrategy.get();
        try
        {
            // The local side first: this process's first party in the registry makes it hold its alive file there
            // (AliveFiles), which is what tells a cleaner in another PID namespace that the driver directory made
            // below is a live process's; the bridge reads nothing before its Aeron side is up anyway.
            ensureLocalChannel(registry, channel, options.localConfig);
            if (direction == Direction.OUTBOUND)
            {
                localSubscriber = registry.subscriber(channel);
                if (localSubscriber.channelInfo().mode().isFanOut())
                {
                    pending = new UnsafeBuffer(new byte[Math.max(1, localSubscriber.channelInfo().maxMessageLength())]);
                }
            }
            else
            {
                localPublisher = registry.publisher(channel);
                localMaxMessageLength = localPublisher.maxMessageLength();
            }
            final String dir;
            if (options.aeronDir != null)
            {
                dir = options.aeronDir.toString();
            }
            else
            {
                dir = registry.directory().resolve(driverDirectoryName(ProcessToken.SELF,
                    DRIVER_SEQUENCE.incrementAndGet())).toString();
                driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(dir)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .warnIfDirectoryExists(false)
                    .threadingMode(options.driverThreading)
                    .conductorThreadFactory(DAEMON)
                    .senderThreadFactory(DAEMON)
                    .receiverThreadFactory(DAEMON)
                    .sharedThreadFactory(DAEMON)
                    .sharedNetworkThreadFactory(DAEMON));
            }
            // Aeron's default error handler exits the JVM on a driver timeout: a bridge stops instead, and says why
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir).threadFactory(DAEMON)
                .errorHandler(this::onAeronError));
            // keyed by this bridge's client id, each label short enough for Aeron (which refuses a longer one, and
            // the bridge with it): see BridgeCounters
            final String description = BridgeCounters.description(direction, channel, aeronChannel, streamId);
            final UnsafeBuffer key = BridgeCounters.key(aeron.clientId(), channel);
            for (int i = 0; i < counters.length; i++)
            {
                final byte[] label = BridgeCounters.label(description, BridgeCounters.MESSAGES + i)
                    .getBytes(StandardCharsets.US_ASCII);
                counters[i] = aeron.addCounter(BridgeCounters.MESSAGES + i, key, 0, key.capacity(),
                    new UnsafeBuffer(label), 0, label.length);
            }
            if (direction == Direction.OUTBOUND)
            {
                publication = aeron.addExclusivePublication(aeronChannel, streamId);
            }
            else
            {
                assembler = new ControlledFragmentAssembler(inboundHandler);
                subscription = aeron.addSubscription(aeronChannel, streamId, this::onImageAvailable,
                    this::onImageUnavailable);
            }
        }
        catch (final RuntimeException ex)
        {
            closeResources();
            throw ex;
        }
        final String name = "shmlink-bridge-" + (direction == Direction.OUTBOUND ? "out-" : "in-") + channel;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Subscribes to the local channel and publishes each message to the Aeron channel/stream, with an embedded
     * media driver and the default options.
     *
     * @param registry     holding the local channel.
     * @param channel      the local channel's name; created with {@link #DEFAULT_LOCAL_CONFIG} if absent.
     * @param aeronChannel an Aeron channel URI, e.g. {@code aeron:udp?endpoint=host:40123}.
     * @param streamId     the Aeron stream id.
     * @return the running bridge.
     */
    public static AeronBridge outbound(
        final ShmRegistry registry, final String channel, final String aeronChannel, final int streamId)
    {
        return outbound(registry, channel, aeronChannel, streamId, new Options());
    }

    /**
     * As {@link #outbound(ShmRegistry, String, String, int)} with options.
     *
     * @param registry     holding the local channel.
     * @param channel      the local channel's name; created with {@link Options#localConfig} if absent.
     * @param aeronChannel an Aeron channel URI.
     * @param streamId     the Aeron stream id.
     * @param options      driver, local channel configuration and idle strategy.
     * @return the running bridge.
     */
    public static AeronBridge outbound(final ShmRegistry registry, final String channel, final String aeronChannel,
        final int streamId, final Options options)
    {
        return new AeronBridge(Direction.OUTBOUND, registry, channel, aeronChannel, streamId, options);
    }

    /**
     * Subscribes to the Aeron channel/stream and publishes each message into the local channel, with an embedded
     * media driver and the default options.
     *
     * @param aeronChannel an Aeron channel URI, e.g. {@code aeron:udp?endpoint=0.0.0.0:40123}.
     * @param streamId     the Aeron stream id.
     * @param registry     holding the local channel.
     * @param channel      the local channel's name; created with {@link #DEFAULT_LOCAL_CONFIG} if absent.
     * @return the running bridge.
     */
    public static AeronBridge inbound(
        final String aeronChannel, final int streamId, final ShmRegistry registry, final String channel)
    {
        return inbound(aeronChannel, streamId, registry, channel, new Options());
    }

    /**
     * As {@link #inbound(String, int, ShmRegistry, String)} with options.
     *
     * @param aeronChannel an Aeron channel URI.
     * @param streamId     the Aeron stream id.
     * @param registry     holding the local channel.
     * @param channel      the local channel's name; created with {@link Options#localConfig} if absent.
     * @param options      driver, local channel configuration and idle strategy.
     * @return the running bridge.
     */
    public static AeronBridge inbound(final String aeronChannel, final int streamId, final ShmRegistry registry,
        final String channel, final Options options)
    {
        return new AeronBridge(Direction.INBOUND, registry, channel, aeronChannel, streamId, options);
    }

    private static void ensureLocalChannel(final ShmRegistry registry, final String channel, final ChannelConfig config)
    {
        if (registry.lookup(channel).isEmpty())
        {
            try
            {
                registry.create(channel, config);
            }
            catch (final ChannelExistsException createdMeanwhile)
            {
                // another process created it first: use theirs
            }
        }
    }

    private void run()
    {
        try
        {
            if (direction == Direction.OUTBOUND)
            {
                runOutbound();
            }
            else
            {
                runInbound();
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
            running = false;
            LOG.log(System.Logger.Level.ERROR, "bridge " + this + " stopped", ex);
        }
    }

    private void runOutbound()
    {
        while (running)
        {
            final boolean up = publication.isConnected();
            trackLink(up);
            // No reading while nobody listens: the messages wait in the local channel, not in this bridge's hand
            int work = 0;
            if (up)
            {
                try
                {
                    work = pending == null ? localSubscriber.poll(outboundHandler, POLL_LIMIT) : pollCopyAndSend();
                }
                catch (final SubscriberEvictedException evicted)
                {
                    pendingLength = -1; // perhaps overwritten: not sent
                    rejoin(evicted);
                }
                catch (final RuntimeException stop)
                {
                    if (stop != STOP)
                    {
                        throw stop;
                    }
                    if (failure != null)
                    {
                        throw new IllegalStateException("bridge out " + channel + " stopped", failure);
                    }
                    return; // closing: the message in hand was counted lost, the rest stays in the channel
                }
            }
            idle.idle(work);
        }
    }

    /** Fan-out: one message copied out, confirmed whole by the poll's return, then sent from the copy. */
    private int pollCopyAndSend()
    {
        final int polled = localSubscriber.poll(copyOut, 1);
        if (polled > 0 && pendingLength >= 0)
        {
            final int length = pendingLength;
            pendingLength = -1;
            forward(pending, 0, length);
        }
        return polled;
    }

    private void copyOut(final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.getBytes(offset, pending, 0, length); // the channel's maximum bounds it: pending is that long
        pendingLength = length;
    }

    /** Aeron's client reports an error (a driver that timed out, a closed client): the bridge stops, saying why. */
    private void onAeronError(final Throwable error)
    {
        if (failure == null)
        {
            failure = error;
        }
        running = false;
        LOG.log(System.Logger.Level.ERROR, "bridge " + channel + ": Aeron failed, stopping", error);
    }

    private void trackLink(final boolean up)
    {
        if (up != outboundLinkUp)
        {
            outboundLinkUp = up;
            add(up ? linkUps : linkDowns, up ? BridgeCounters.LINK_UPS : BridgeCounters.LINK_DOWNS, 1);
        }
    }

    /**
     * A fan-out channel evicted this bridge's subscriber for holding its publishers back too long (the Aeron side
     * pushed back or was down): what was sent meanwhile is not carried. Counted, logged, and joined again, live.
     */
    private void rejoin(final SubscriberEvictedException evicted)
    {
        add(evictions, BridgeCounters.EVICTIONS, 1);
        LOG.log(System.Logger.Level.WARNING, "bridge out " + channel + ": evicted from the fan-out channel, " +
            "joining again live: " + evicted.getMessage());
        localSubscriber.close();
        localSubscriber = null;
        localSubscriber = registry.subscriber(channel);
    }

    private void forward(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > publication.maxMessageLength())
        {
            add(oversize, BridgeCounters.OVERSIZE, 1);
            LOG.log(System.Logger.Level.WARNING, "bridge out " + channel + ": message of " + length +
                " bytes is longer than Aeron's maximum " + publication.maxMessageLength() + ", skipped");
            return;
        }
        boolean held = false;
        while (true)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                trackLink(true);
                counted(length);
                if (held)
                {
                    retryIdle.reset();
                }
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                // the message in hand is read from the channel and cannot be sent: counted lost, and the bridge
                // stops (the poll ends here, so nothing after it in the batch is read)
                add(lostOnClose, BridgeCounters.LOST_ON_CLOSE, 1);
                failure = new IllegalStateException("Aeron publication " + aeronChannel + " stream " + streamId +
                    " refuses messages: " + Publication.errorString(result));
                running = false;
                throw STOP;
            }
            if (result == Publication.NOT_CONNECTED)
            {
                trackLink(false); // the subscriber went away while this message was in hand: it waits for the next
            }
            if (!held)
            {
                held = true;
                add(backPressureEvents, BridgeCounters.BACK_PRESSURE, 1);
            }
            if (!running)
            {
                // closing: this message is given up, and the poll ends here so that the rest of its batch stays
                // in the channel for a successor (at most this one is lost)
                add(lostOnClose, BridgeCounters.LOST_ON_CLOSE, 1);
                throw STOP;
            }
            retryIdle.idle();
        }
    }

    private void runInbound()
    {
        while (running)
        {
            inboundWork = 0;
            inboundDone = false;
            subscription.forEachImage(pollImage);
            if (inboundFailure != null)
            {
                throw inboundFailure;
            }
            idle.idle(inboundWork);
        }
    }

    /**
     * Polls the images oldest first, and a newer one only when the older ones have nothing: a restarted outbound
     * bridge is a new image (a new Aeron session) while what its dead predecessor sent may still be in this
     * driver's buffers, and those messages come first. A held message stops the round.
     */
    private void pollImage(final Image image)
    {
        if (!inboundDone)
        {
            final int fragments = image.controlledPoll(assembler, POLL_LIMIT);
            inboundWork += fragments;
            inboundDone = fragments > 0 || holding;
        }
    }

    private ControlledFragmentHandler.Action deliver(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length > localMaxMessageLength)
        {
            add(oversize, BridgeCounters.OVERSIZE, 1);
            LOG.log(System.Logger.Level.WARNING, "bridge in " + channel + ": message of " + length +
                " bytes is longer than the channel's maximum " + localMaxMessageLength + ", skipped");
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final long result = localPublisher.offer(buffer, offset, length);
        if (result > 0)
        {
            holding = false;
            counted(length);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (result == Publisher.CLOSED)
        {
            // not thrown here: Aeron's image would swallow it and go on past the fragment; the message stays
            // in Aeron's buffer (ABORT) and the bridge's loop stops
            inboundFailure = new IllegalStateException("local channel " + channel + " is closed or deleted");
            failure = inboundFailure; // before the flag: whoever sees it stopped sees why
            running = false;
            return ControlledFragmentHandler.Action.ABORT;
        }
        // BACK_PRESSURED, or NOT_CONNECTED (the local subscriber died; temporary until another attaches): keep the
        // message in Aeron's buffer and try again on the next poll
        if (!holding)
        {
            holding = true;
            add(backPressureEvents, BridgeCounters.BACK_PRESSURE, 1);
        }
        return ControlledFragmentHandler.Action.ABORT;
    }

    private void counted(final int length)
    {
        add(messages, BridgeCounters.MESSAGES, 1);
        add(bytes, BridgeCounters.BYTES, length);
    }

    /**
     * Adds to a counter that only one thread writes, and to its mirror in the driver's counters file.
     */
    private void add(final AtomicLong counter, final int typeId, final long delta)
    {
        final long value = counter.get() + delta;
        counter.lazySet(value);
        counters[typeId - BridgeCounters.MESSAGES].setRelease(value);
    }

    private static String describe(
        final Direction direction, final String channel, final String aeronChannel, final int streamId)
    {
        return (direction == Direction.OUTBOUND ? "out " + channel + " -> " : "in " + channel + " <- ") +
            aeronChannel + " stream " + streamId;
    }

    // Aeron's client conductor thread: the only writer of an inbound bridge's link counters
    private void onImageAvailable(final Image image)
    {
        add(linkUps, BridgeCounters.LINK_UPS, 1);
    }

    private void onImageUnavailable(final Image image)
    {
        add(linkDowns, BridgeCounters.LINK_DOWNS, 1);
    }

    /**
     * Messages carried across so far.
     *
     * @return the count.
     */
    public long messagesForwarded()
    {
        return messages.get();
    }

    /**
     * Payload bytes carried across so far.
     *
     * @return the count.
     */
    public long bytesForwarded()
    {
        return bytes.get();
    }

    /**
     * Messages the far side held back at least once (Aeron back-pressure or no Aeron subscriber for an outbound
     * bridge; a full local channel, or one without its subscriber, for an inbound bridge).
     *
     * @return the count.
     */
    public long backPressureEvents()
    {
        return backPressureEvents.get();
    }

    /**
     * Messages skipped because they were longer than the destination allows (the local channel's
     * {@code maxMessageLength} inbound, Aeron's maximum message length outbound); each is logged as a warning.
     *
     * @return the count.
     */
    public long oversizeDropped()
    {
        return oversize.get();
    }

    /**
     * Messages an outbound bridge held when it was closed while Aeron pushed back, or when Aeron refused it for good
     * (the publication closed, or its position limit was reached): taken from the local channel, never published.
     * The poll ends with that message, so the rest of its batch stays in the channel.
     *
     * @return the count, 0 or 1 per close or failure.
     */
    public long lostOnClose()
    {
        return lostOnClose.get();
    }

    /**
     * How often an outbound bridge's subscriber of a fan-out channel was evicted for holding the publishers back
     * longer than the channel's slow-subscriber timeout, and joined again live; what was sent in between is not
     * carried.
     *
     * @return the count; always 0 inbound and on SPSC or MPSC channels, which never evict.
     */
    public long evictions()
    {
        return evictions.get();
    }

    /**
     * How often the Aeron link came up: an outbound publication became connected, or an inbound image (a remote
     * publisher) became available.
     *
     * @return the count.
     */
    public long linkUps()
    {
        return linkUps.get();
    }

    /**
     * How often the Aeron link went down: an outbound publication lost its last subscriber, or an inbound image
     * went away (its publisher closed, died or timed out).
     *
     * @return the count.
     */
    public long linkDowns()
    {
        return linkDowns.get();
    }

    /**
     * How often the link came up again after the first time.
     *
     * @return {@link #linkUps()} less one, never negative.
     */
    public long reconnects()
    {
        return Math.max(0, linkUps.get() - 1);
    }

    /**
     * Whether the Aeron side is connected, as the bridge last saw it (never touching Aeron's buffers, so safe to call
     * while another thread closes the bridge).
     *
     * @return true if an outbound publication has a subscriber or an inbound subscription has an image.
     */
    public boolean isLinkUp()
    {
        return direction == Direction.OUTBOUND ? outboundLinkUp : linkUps.get() > linkDowns.get();
    }

    /**
     * Whether the bridge's thread still runs: false after {@link #close()} or a failure.
     *
     * @return true while it carries messages.
     */
    public boolean isRunning()
    {
        return running && thread.isAlive();
    }

    /**
     * Why the bridge's thread stopped by itself: Aeron's client failed (an external driver that timed out, which
     * Aeron's default handler would have answered by exiting the JVM), Aeron refused the publication for good, or
     * the inbound bridge's local channel was closed or deleted.
     *
     * @return the cause, or null.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * The local channel.
     *
     * @return its name.
     */
    public String channel()
    {
        return channel;
    }

    /**
     * The embedded media driver's directory.
     *
     * @return it, or null with an external driver.
     */
    public Path embeddedDriverDirectory()
    {
        return driver == null ? null : Path.of(driver.aeronDirectoryName());
    }

    /**
     * Stops the thread (a message in hand of an outbound bridge that Aeron pushes back is given up, see
     * {@link #lostOnClose()}), then closes the local publisher or subscriber, the Aeron publication or subscription,
     * the Aeron client and the embedded driver, whose directory goes with it. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        running = false;
        boolean interrupted = false;
        while (thread.isAlive() && thread != Thread.currentThread())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        closeResources();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void closeResources()
    {
        CloseHelper.closeAll(localSubscriber, localPublisher, publication, subscription, aeron, driver);
    }

    static String driverDirectoryName(final long token, final int sequence)
    {
        return DRIVER_DIR_PREFIX + String.format("%016x", token) + "-" + sequence;
    }

    /**
     * The directories of embedded media drivers whose process is gone (a bridge killed before it could close):
     * {@code .aeron-<token>-<n>} in a registry directory, for a token whose process no longer runs, judged as
     * ShmLink judges its parties ({@link ProcessToken#isAlive}): by {@code /proc} and the start time for a process of
     * this PID namespace, so a reused pid does not keep a dead bridge's directory; by the process's alive file in
     * the registry directory for one of another namespace, so a live bridge there is never taken for dead. A
     * directory named the older way, {@code .aeron-<pid>-<n>}, names no namespace: it is stale only if no process
     * with that pid runs here and no alive file in the registry directory whose token has that pid is held (or
     * cannot be read), since its bridge may live in another namespace with that pid and holds its alive file
     * there; a pid reused by an unrelated process keeps it until that process ends. Removes no driver directory (a
     * dead process's alive file may go, as any liveness check of ShmLink's does).
     *
     * @param registryDirectory the registry's directory.
     * @return those directories.
     * @throws IOException if the directory cannot be listed.
     */
    public static List<Path> findStaleDrivers(final Path registryDirectory) throws IOException
    {
        final List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(registryDirectory, DRIVER_DIR_PREFIX + "*"))
        {
            // the alive files of this directory answer for bridges in other PID namespaces, whether or not this
            // JVM has a registry open on it
            AliveFiles.watch(registryDirectory);
            for (final Path dir : stream)
            {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) &&
                    isStale(registryDirectory, dir.getFileName().toString()))
                {
                    stale.add(dir);
                }
            }
        }
        stale.sort(Comparator.naturalOrder());
        return stale;
    }

    private static boolean isStale(final Path registryDirectory, final String name) throws IOException
    {
        final Matcher named = DRIVER_DIR.matcher(name);
        if (named.matches())
        {
            return !ProcessToken.isAlive(Long.parseUnsignedLong(named.group(1), 16));
        }
        final Matcher byPid = PID_DRIVER_DIR.matcher(name);
        if (!byPid.matches())
        {
            return false;
        }
        final long pid = Long.parseLong(byPid.group(1));
        return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) &&
            !mayHoldAliveFile(registryDirectory, pid) && !isStartingUp(registryDirectory.resolve(name));
    }

    /** Whether a pid-named driver directory is younger than {@link #PID_DRIVER_DIR_START_UP_MILLIS}. */
    private static boolean isStartingUp(final Path directory) throws IOException
    {
        final long modified = Files.getLastModifiedTime(directory, LinkOption.NOFOLLOW_LINKS).toMillis();
        return System.currentTimeMillis() - modified < PID_DRIVER_DIR_START_UP_MILLIS;
    }

    /**
     * Whether a process with this pid, in any PID namespace, may hold its alive file in the registry directory: a
     * file named for a token with that pid is held by another process, or cannot be judged.
     */
    private static boolean mayHoldAliveFile(final Path registryDirectory, final long pid) throws IOException
    {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(registryDirectory, AliveFiles.PREFIX + "*"))
        {
            for (final Path file : stream)
            {
                final long token = AliveFiles.holderToken(file.getFileName().toString());
                if (token != 0 && ProcessToken.pid(token) == pid && !AliveFiles.isUnheld(file))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Removes what {@link #findStaleDrivers} finds, with everything in it.
     *
     * @param registryDirectory the registry's directory.
     * @return the directories removed.
     * @throws IOException if the directory cannot be listed or a file not removed.
     */
    public static List<Path> cleanStaleDrivers(final Path registryDirectory) throws IOException
    {
        final List<Path> stale = findStaleDrivers(registryDirectory);
        for (final Path dir : stale)
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        return stale;
    }

    @Override
    public String toString()
    {
        return "AeronBridge[" + describe(direction, channel, aeronChannel, streamId) + "]";
    }
}
