package io.shmlink.bench.pingpong;

import io.shmlink.api.MessageHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * A side subscriber of a fan-out transport, in a JVM of its own ({@link FanOutTransport}, started by
 * {@link FanOutSides}): attaches subscriber {@code role} of the fan-out, prints {@value ChildJvm#READY}, then, while
 * the run's {@link EchoControl} word names its transport (as it does for the echo child), reads every message. It
 * never answers a ping.
 * <ul>
 *   <li>Ping-pong ({@code echo}): takes one message per poll, as the echo does; checks its length and that its
 *   sequence number follows the previous one, and folds every byte of it ({@link Payload#fold}).</li>
 *   <li>Throughput ({@code sink}): takes up to {@link FanOutTransport#sideSinkBatch} per poll and consumes each as the
 *   echo child's sink does ({@link BurstSink}, in the {@link SinkMode} the word names, {@link EchoMain#sinkMode},
 *   re-read at the first message of each poll so that a measured burst is read in its mode), and acknowledges
 *   every burst on its own return channel.</li>
 * </ul>
 * When the word names something else, it takes what is still there, then backs off ({@link BackoffIdleStrategy})
 * until the word names its transport again. When its standard input closes ({@link ChildJvm#watchParent}: the
 * pinger closes it when it is done, and a dead parent closes it too) it takes what is still there and exits, printing
 * {@value ChildJvm#RECEIVED}{@code <messages>} and {@value ChildJvm#ALLOCATED}{@code <bytes>}: what its thread
 * allocated in its read loops except the first of each kind (class loading), 0 when the hot path allocates nothing.
 * <p>
 * Arguments: {@code <transport name> <transport directory> <message length> echo|sink <transport index> <role>}.
 */
public final class FanOutSubscriberMain
{
    private static volatile boolean stopping;

    private FanOutSubscriberMain()
    {
    }

    /**
     * @return whether standard input has closed: the side is to finish.
     */
    static boolean stopping()
    {
        return stopping;
    }

    /**
     * Runs a side subscriber.
     *
     * @param args transport name, transport directory, message length, echo or sink, role.
     * @throws IOException if the transport cannot be opened.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 6 || !List.of(EchoMain.ECHO, EchoMain.SINK).contains(args[3]))
        {
            System.err.println("usage: FanOutSubscriberMain <transport> <transport directory> <message length> " +
                "echo|sink <transport index> <role>");
            System.exit(2);
        }
        final Transport transport = Transports.create(args[0]);
        final int role = Integer.parseInt(args[5]);
        if (!(transport instanceof FanOutTransport fanOut) || role < 1 || role >= fanOut.subscribers())
        {
            throw new IllegalArgumentException(args[0] + " has no side subscriber " + role);
        }
        final Path directory = Path.of(args[1]);
        final LinkSpec link = new LinkSpec(directory, Integer.parseInt(args[2]), args[3].equals(EchoMain.SINK),
            Integer.parseInt(args[4]));
        final EchoControl control = EchoControl.open(directory.resolveSibling(EchoMain.CONTROL_FILE));
        final Side side = new Side(role, link, fanOut.sideSinkBatch(link), control, FanOutTransport.sidesYield());
        final FanOutTransport.SideReader reader = fanOut.openSide(link, role, side);
        side.reader = reader;
        ChildJvm.watchParent("fan-out subscriber", "read loop", Thread.currentThread(), () -> stopping = true);
        System.out.println(ChildJvm.READY);
        System.out.flush();

        final long allocated = side.serve();

        reader.close();
        transport.close();
        control.close();
        side.close();
        System.out.println(ChildJvm.RECEIVED + side.received);
        System.out.println(ChildJvm.ALLOCATED + allocated);
        System.out.flush();
    }

    /**
     * The side's one thread: its read loops and its handler.
     */
    private static final class Side implements MessageHandler
    {
        private final int role;
        private final int messageLength;
        private final EchoControl control;
        private final int index;
        private final boolean yield;
        private final boolean sinking;
        private final int sinkBatch;
        private final BurstSink burstSink;
        private FanOutTransport.SideReader reader;
        private boolean checkMode;
        private long received;
        private long lastSequence;
        private long checksum;

        Side(final int role, final LinkSpec link, final int sinkBatch, final EchoControl control, final boolean yield)
        {
            this.role = role;
            this.messageLength = link.messageLength();
            this.control = control;
            this.index = link.index();
            this.yield = yield;
            this.sinking = link.throughput();
            this.sinkBatch = sinkBatch;
            // Made on the thread that sinks: its fault counter is this thread's.
            this.burstSink = sinking ? new BurstSink(messageLength) : null;
        }

        /**
         * Reads while the word says so, backs off otherwise, until standard input closes.
         *
         * @return bytes allocated in the read loops, except the first.
         */
        long serve()
        {
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final IdleStrategy idle = new BackoffIdleStrategy();
            boolean served = false;
            long allocated = 0;
            while (!stopping)
            {
                final long value = control.requested();
                if (sinking ? EchoMain.sinkMode(value, index) != null : value == index)
                {
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    if (sinking)
                    {
                        sink(value);
                    }
                    else
                    {
                        read();
                    }
                    final long delta = threads.getCurrentThreadAllocatedBytes() - before;
                    if (served)
                    {
                        allocated += delta;
                    }
                    served = true;
                    idle.reset();
                }
                else
                {
                    idle.idle();
                }
            }
            // Whatever was sent before the pinger closed our input: normally nothing, the loops drain as they leave.
            drain();
            return allocated;
        }

        private void read()
        {
            while (true)
            {
                if (reader.poll(1) == 0)
                {
                    if (!control.isActive(index) || stopping)
                    {
                        // A ping sent before the word changed may have become visible only after the empty poll.
                        drain();
                        return;
                    }
                    pause();
                }
            }
        }

        private void sink(final long value)
        {
            burstSink.mode(EchoMain.sinkMode(value, index));
            while (true)
            {
                checkMode = true;
                if (reader.poll(sinkBatch) == 0)
                {
                    if (EchoMain.sinkMode(control.requested(), index) == null || stopping)
                    {
                        drain();
                        return;
                    }
                    pause();
                }
            }
        }

        private void drain()
        {
            checkMode = sinking;
            while (reader.poll(sinkBatch) > 0)
            {
                checkMode = sinking;
            }
        }

        private void pause()
        {
            if (yield)
            {
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (sinking)
            {
                if (checkMode)
                {
                    // Read after the poll's acquire of this message: a burst sent after the parent named this contender
                    // in the word sees its mode.
                    checkMode = false;
                    final SinkMode mode = EchoMain.sinkMode(control.requested(), index);
                    if (mode != null)
                    {
                        burstSink.mode(mode);
                    }
                }
                received++;
                if (burstSink.onMessage(buffer, offset, length))
                {
                    reader.acknowledge(burstSink.acknowledgement(), length);
                }
                return;
            }
            if (length != messageLength)
            {
                throw new IllegalStateException("fan-out subscriber " + role + ": ping of " + length +
                    " bytes, expected " + messageLength);
            }
            final long sequence = buffer.getLong(offset);
            if (received > 0 && sequence != lastSequence + 1)
            {
                throw new IllegalStateException("fan-out subscriber " + role + ": ping " + sequence + " after " +
                    lastSequence);
            }
            lastSequence = sequence;
            checksum += Payload.fold(buffer, offset, length);
            received++;
        }

        void close()
        {
            CloseHelper.close(burstSink);
        }
    }
}
