package io.shmlink.bench.pingpong;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The pinger's handle on a fan-out transport's side subscriber JVMs ({@link FanOutSubscriberMain}, roles 1 to
 * {@code n - 1}; see {@link FanOutTransport}): starts them, waits until each has attached, serves as the pinger's
 * {@link PeerWatch} (the echo child's, and each side's: a side that dies or fails its checks fails the run), takes
 * and checks their acknowledgements of throughput bursts, and ends them, checking that each received exactly the
 * messages the pinger sent.
 */
final class FanOutSides implements PeerWatch
{
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final String transport;
    private final PeerWatch echo;
    private final List<ChildJvm> sides;
    private final int messageLength;
    private final Acknowledgement acknowledgement = new Acknowledgement();
    private boolean finished;

    private FanOutSides(final String transport, final PeerWatch echo, final List<ChildJvm> sides,
        final int messageLength)
    {
        this.transport = transport;
        this.echo = echo;
        this.sides = sides;
        this.messageLength = messageLength;
    }

    /**
     * Starts the side JVMs and waits until each has attached and printed READY.
     *
     * @param transport the transport's built-in name or class name, which the sides make their instance from.
     * @param link      the transport's link.
     * @param count     how many sides: the subscribers less the echo child's.
     * @param flags     the transport's JVM flags ({@link Transport#childJvmFlags()}).
     * @param echo      the echo child's watch.
     * @return the running sides.
     * @throws IOException if one cannot be started, or does not get ready (then every one started is ended).
     */
    static FanOutSides start(final String transport, final LinkSpec link, final int count, final List<String> flags,
        final PeerWatch echo) throws IOException
    {
        final List<String> jvmFlags = new ArrayList<>(flags);
        jvmFlags.add("-D" + FanOutTransport.SIDE_IDLE_PROPERTY + "=" +
            (FanOutTransport.sidesYield() ? "yield" : "spin"));
        final FanOutSides sides = new FanOutSides(transport, echo, new ArrayList<>(), link.messageLength());
        try
        {
            for (int role = 1; role <= count; role++)
            {
                sides.sides.add(ChildJvm.startHarnessChild(transport + " subscriber " + role, jvmFlags,
                    FanOutSubscriberMain.class, List.of(transport, link.directory().toString(),
                        Integer.toString(link.messageLength()), link.throughput() ? EchoMain.SINK : EchoMain.ECHO,
                        Integer.toString(link.index()), Integer.toString(role))));
            }
            for (final ChildJvm side : sides.sides)
            {
                side.awaitReady(READY_TIMEOUT);
            }
            // As EchoSession does for the echo child: the first call links a few methods (some heap), which should
            // not happen in a measured round.
            sides.stillWaiting(SPIN_CHECK_INTERVAL, 0);
            return sides;
        }
        catch (final InterruptedException ex)
        {
            sides.kill();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + transport + "'s subscribers", ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            sides.kill();
            throw ex;
        }
    }

    /**
     * @return how many side JVMs run.
     */
    int count()
    {
        return sides.size();
    }

    /**
     * {@inheritDoc} Asks the echo child's watch, then each side's.
     */
    @Override
    public void stillWaiting(final long spins, final long waitFor)
    {
        echo.stillWaiting(spins, waitFor);
        for (int i = 0; i < sides.size(); i++)
        {
            sides.get(i).stillWaiting(spins, waitFor);
        }
    }

    /**
     * Pinger, in the handler of a side's acknowledgement channel: takes the acknowledgement just polled.
     *
     * @param buffer holding it.
     * @param offset where it starts.
     * @param length its length: the run's message length.
     */
    void read(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != messageLength)
        {
            throw new IllegalStateException("acknowledgement of " + length + " bytes, expected " + messageLength);
        }
        acknowledgement.read(buffer, offset);
    }

    /**
     * Pinger, once it has taken side {@code role}'s acknowledgement of a burst ({@link #read}): checks it against
     * subscriber 0's.
     *
     * @param role      the side's role.
     * @param reference subscriber 0's acknowledgement.
     * @throws IllegalStateException if the count or the checksum differs.
     */
    void check(final int role, final Acknowledgement reference)
    {
        if (acknowledgement.count() != reference.count() || acknowledgement.checksum() != reference.checksum())
        {
            throw new IllegalStateException("fan-out subscriber " + role + " acknowledged " +
                acknowledgement.count() + " messages with checksum " + Long.toHexString(acknowledgement.checksum()) +
                ", subscriber 0 " + reference.count() + " with " + Long.toHexString(reference.checksum()) +
                ": a subscriber lost, skipped or did not read a message");
        }
    }

    /**
     * Ends the sides (their standard input closes; they drain what they have not read yet, print what they
     * received, and exit) and checks that each received {@code sent} messages and exited normally. Ends every side
     * even if one fails. Does nothing the second time.
     *
     * @param sent messages the pinger sent on the fan-out.
     * @throws IllegalStateException if a side failed, did not exit, or received another count.
     */
    void finish(final long sent)
    {
        if (finished)
        {
            return;
        }
        finished = true;
        IllegalStateException failure = null;
        for (int i = 0; i < sides.size(); i++)
        {
            final ChildJvm side = sides.get(i);
            try
            {
                final long[] allocated = side.finish(EXIT_TIMEOUT);
                final long received = side.received();
                if (received != sent)
                {
                    throw new IllegalStateException(transport + " subscriber " + (i + 1) + " (pid " + side.pid() +
                        ") received " + received + " messages; " + sent + " were sent");
                }
                if (allocated != null && allocated.length == 1 && allocated[0] > 0)
                {
                    // Reported, not failed: in a short run the JIT may still allocate a few KB once (see
                    // BenchRunTest); a long run shows 0.
                    System.err.printf("%s subscriber %d (pid %d): %,d bytes allocated in its read loops after the " +
                        "first (0 once compiled)%n", transport, i + 1, side.pid(), allocated[0]);
                }
            }
            catch (final InterruptedException ex)
            {
                kill();
                Thread.currentThread().interrupt();
                throw add(new IllegalStateException("interrupted while ending " + transport + "'s subscribers", ex),
                    failure);
            }
            catch (final IllegalStateException ex)
            {
                failure = add(failure, ex);
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * A fan-out pinger's close: {@link #finish} the sides, then detach the pinger whatever that found.
     *
     * @param sent   messages the pinger sent on the fan-out.
     * @param detach closes what the pinger holds.
     * @throws IllegalStateException as {@link #finish}.
     */
    void finishThenDetach(final long sent, final Runnable detach)
    {
        try
        {
            finish(sent);
        }
        finally
        {
            detach.run();
        }
    }

    /**
     * Ends every side still running without checking anything: after a failure.
     */
    void kill()
    {
        finished = true;
        for (final ChildJvm side : sides)
        {
            side.close();
        }
    }

    private static IllegalStateException add(final IllegalStateException first, final IllegalStateException next)
    {
        if (first == null)
        {
            return next;
        }
        if (next != null)
        {
            first.addSuppressed(next);
        }
        return first;
    }
}
