package io.shmlink.bench.pingpong;

import io.shmlink.api.MessageHandler;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.util.Locale;

/**
 * A transport with one publisher and {@link #subscribers()} subscribers, each in its own JVM, each of which reads
 * every message: ShmLink SPMC ({@link ShmLinkFanOutTransport}) and Aeron IPC with as many subscriptions
 * ({@link AeronFanOutTransport}).
 * <p>
 * <b>Roles.</b> Subscriber 0 is the echo child's {@link Echo}, the point-to-point transport's own
 * ({@code shmlink-spsc}'s, {@code aeron}'s) on the fan-out's ping channel: in ping-pong it echoes every ping on a
 * return channel of its own, so the pinger times the round trip through it, one chosen subscriber of the fan-out; in
 * throughput mode it sinks and acknowledges as every other transport's sink does. Subscribers 1 to {@code n - 1} are
 * <em>side</em> subscribers, each in a JVM of its own ({@link FanOutSubscriberMain}) that the pinger starts
 * ({@link FanOutSides}) and ends: in ping-pong they read and fold every byte of every ping and check that the
 * sequence numbers follow on, without answering; in throughput mode they sink every message exactly as the echo
 * child does ({@link BurstSink}, every byte, in the same {@link SinkMode}) and each acknowledges every burst on a
 * return channel of its own. The pinger waits for every acknowledgement and checks each side's count and checksum
 * against subscriber 0's (which the run checks against what was sent), so a burst's time is the time until the
 * slowest subscriber has read it all: the fan-out's throughput, not one subscriber's. The pinger also checks, as it
 * closes, that every side received exactly as many messages as it sent.
 * <p>
 * <b>Only while measured.</b> The side subscribers spin only while the run's {@link EchoControl} word names this
 * transport ({@link LinkSpec#index()}), as the echo child does, and back off otherwise, so they do not take cores
 * from the other transports of a run.
 * <p>
 * <b>Cores.</b> A fan-out to {@code n} subscribers has {@code n + 1} spinning threads while it is measured (the
 * pinger and every subscriber). On a machine with fewer cores than that, the scheduler's time slices, not the
 * transport, set the numbers. The side subscribers busy-spin by default, as the echo does; {@code
 * -Dpingpong.fanout.sideIdle=yield} has them call {@code Thread.yield()} after every empty poll instead (the
 * handicap is stated in the report line), which hands a core to the pinger or the echo sooner where cores are
 * short.
 */
public abstract class FanOutTransport extends NamedTransport
{
    /** System property of the parent: how side subscribers wait after an empty poll, {@code spin} or {@code yield}. */
    public static final String SIDE_IDLE_PROPERTY = "pingpong.fanout.sideIdle";

    private final int subscribers;

    /**
     * @param name            the transport's name.
     * @param throughputModes how it serves a throughput run.
     * @param subscribers     how many subscribers read every message, echo included; at least 1.
     */
    protected FanOutTransport(final String name, final ThroughputModes throughputModes, final int subscribers)
    {
        super(name, throughputModes);
        if (subscribers < 1)
        {
            throw new IllegalArgumentException("a fan-out needs at least one subscriber: " + subscribers);
        }
        this.subscribers = subscribers;
    }

    /**
     * @return how many subscribers read every message, the echoing one included.
     */
    public int subscribers()
    {
        return subscribers;
    }

    /**
     * @return whether side subscribers yield after an empty poll ({@value #SIDE_IDLE_PROPERTY}{@code =yield}) rather
     * than spin.
     * @throws IllegalArgumentException if the property has another value.
     */
    static boolean sidesYield()
    {
        final String value = System.getProperty(SIDE_IDLE_PROPERTY, "spin").trim().toLowerCase(Locale.ROOT);
        return switch (value)
        {
            case "spin" -> false;
            case "yield" -> true;
            default -> throw new IllegalArgumentException(
                "-D" + SIDE_IDLE_PROPERTY + " must be spin or yield: " + value);
        };
    }

    /**
     * The part of {@link #describe} on the subscribers.
     *
     * @param returnChannel what a subscriber answers on, without an article, e.g. "SPSC channel".
     * @return e.g. "3 subscriber JVMs, each reading every byte: subscriber 0 (the echo child) echoes on its own SPSC
     * channel; the other 2 only read (busy-spinning), each acknowledging throughput bursts on its own SPSC channel".
     */
    protected String describeSubscribers(final String returnChannel)
    {
        final int sides = subscribers - 1;
        final String echo = subscribers + (subscribers == 1 ? " subscriber JVM, reading" :
            " subscriber JVMs, each reading") + " every byte: subscriber 0 (the echo child) echoes on its own " +
            returnChannel;
        if (sides == 0)
        {
            return echo;
        }
        final String idle =
            sidesYield() ? "yielding after each empty poll: -D" + SIDE_IDLE_PROPERTY + "=yield" : "busy-spinning";
        return echo + (sides == 1 ? "; the other one only reads (" + idle + ") and acknowledges" :
            "; the other " + sides + " only read (" + idle + "), each acknowledging") +
            " throughput bursts on its own " + returnChannel;
    }

    /**
     * Side subscriber JVM: attaches subscriber {@code role} of the fan-out, and (in a throughput run) the publisher
     * of its own acknowledgement channel.
     *
     * @param link    as given to {@link #create} in the parent.
     * @param role    1 to {@code subscribers() - 1}.
     * @param handler receives every message {@link SideReader#poll} takes; whole messages only.
     * @return the attached reader.
     * @throws IOException if that fails.
     */
    abstract SideReader openSide(LinkSpec link, int role, MessageHandler handler) throws IOException;

    /**
     * The {@code limit} of each {@link SideReader#poll} of a side subscriber in throughput mode: by default the echo's
     * ({@link LinkSpec#sinkBatch()}).
     *
     * @param link as given to {@link #openSide}.
     * @return messages (fragments, for Aeron) per poll.
     */
    int sideSinkBatch(final LinkSpec link)
    {
        return link.sinkBatch();
    }

    /**
     * Starts the side subscribers' JVMs, which attach before they say they are ready (the echo child's subscriber
     * attached before the child did), then attaches the pinger ({@link #openPinger(LinkSpec, FanOutSides)}), so
     * that every subscriber receives every ping from the first; ends the sides if that fails.
     */
    @Override
    public final Pinger openPinger(final LinkSpec link, final PeerWatch watch) throws IOException
    {
        final FanOutSides sides = FanOutSides.start(spec(), link, subscribers - 1, childJvmFlags(), watch);
        try
        {
            return openPinger(link, sides);
        }
        catch (final RuntimeException ex)
        {
            sides.kill();
            throw ex;
        }
    }

    /**
     * Parent: attaches the pinger once every side subscriber has; the pinger awaits the sides' acknowledgements of
     * each burst ({@link FanOutSides#read}, {@link FanOutSides#check}) and ends them as it closes
     * ({@link FanOutSides#finish}).
     *
     * @param link  the transport's link.
     * @param sides the running side subscribers, which also watch the echo child.
     * @return the pinger.
     */
    abstract Pinger openPinger(LinkSpec link, FanOutSides sides);

    /**
     * @return what a side JVM makes its instance from ({@link Transports#create(String)}): the name of a built-in
     * transport, else the class name.
     */
    private String spec()
    {
        return Transports.builtIn().contains(name()) ? name() : getClass().getName();
    }

    /**
     * One side subscriber's end of the fan-out: its subscription to the messages, and its acknowledgement channel.
     * Used by the side JVM's one thread.
     */
    interface SideReader extends AutoCloseable
    {
        /**
         * Takes up to {@code limit} messages (fragments, for Aeron) and hands each whole message to the handler given
         * to {@link #openSide}.
         *
         * @param limit the most to take.
         * @return how many were taken; 0 if none waited.
         */
        int poll(int limit);

        /**
         * Throughput mode: sends this subscriber's acknowledgement of a burst on its own return channel, waiting out
         * a transient refusal while the side is not stopping.
         *
         * @param buffer holds the acknowledgement at offset 0.
         * @param length bytes to send: the run's message length.
         */
        void acknowledge(DirectBuffer buffer, int length);

        /**
         * Detaches.
         */
        @Override
        void close();
    }
}
