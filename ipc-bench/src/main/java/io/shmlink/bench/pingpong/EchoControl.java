package io.shmlink.bench.pingpong;

import io.shmlink.bench.MappedFile;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * The two words in shared memory through which the parent tells the echo child which transport to serve.
 * <p>
 * The child has a single echo thread, and it spins only on the transport named here; so do the side subscribers of a
 * fan-out transport, each in a JVM of its own ({@link FanOutSubscriberMain}), which read the word too. With one core
 * for the pinger and one for the echo, a second spinning echo (say, one child per transport) would steal a core from
 * the pair being measured; with this word, at most two threads spin at any time, whatever the number of transports
 * (none on the echo side while a socket transport's echo blocks in {@code read}), but for a fan-out's sides.
 * <p>
 * The parent writes {@code requested} only between rounds, and the child writes {@code acknowledged} only when it
 * switches, so during a round both cache lines stay shared in both cores' caches and reading them costs an L1 hit.
 * They sit 128 bytes apart so that the adjacent-line prefetcher does not pair them.
 */
public final class EchoControl implements AutoCloseable
{
    /** No transport: the child idles with a back-off (spin, yield, then park) instead of spinning. */
    public static final long IDLE = -1;

    /** The parent is done: the child closes its echoes and exits. */
    public static final long STOP = -2;

    private static final int REQUESTED_OFFSET = 0;
    private static final int ACKNOWLEDGED_OFFSET = 128;
    private static final int FILE_LENGTH = 4096;

    private final MappedFile file;
    private final UnsafeBuffer buffer;

    private EchoControl(final MappedFile file)
    {
        this.file = file;
        this.buffer = file.buffer();
    }

    /**
     * Parent: creates the control file, requesting {@link #IDLE}.
     *
     * @param path the file to create.
     * @return the control.
     */
    public static EchoControl create(final Path path)
    {
        final EchoControl control = new EchoControl(MappedFile.createNew(path, FILE_LENGTH));
        // A zero-filled file would name transport 0; say IDLE explicitly before the child can look.
        control.buffer.putLongVolatile(REQUESTED_OFFSET, IDLE);
        control.buffer.putLongVolatile(ACKNOWLEDGED_OFFSET, IDLE);
        return control;
    }

    /**
     * Child: maps the parent's control file.
     *
     * @param path the file.
     * @return the control.
     */
    public static EchoControl open(final Path path)
    {
        return new EchoControl(MappedFile.mapExisting(path));
    }

    /**
     * Parent, first of two steps: names the transport to serve. A spinning echo of the previous transport notices by
     * itself; a blocked one has to be woken ({@link Pinger#release()}) after this write, not before, or it would
     * look, see itself still named, and block again.
     *
     * @param index the transport's index in the run.
     */
    public void request(final int index)
    {
        buffer.putLongVolatile(REQUESTED_OFFSET, index);
    }

    /**
     * Parent, second step: spins until the child serves the transport; from then on a ping on it is answered without
     * the child first having to notice the switch.
     *
     * @param index the transport's index in the run, as requested.
     * @param watch consulted while waiting, so a dead child fails the run.
     */
    public void awaitAcknowledged(final int index, final PeerWatch watch)
    {
        long spins = 0;
        while (buffer.getLongAcquire(ACKNOWLEDGED_OFFSET) != index)
        {
            spins = PeerWatch.spin(watch, spins, -1 - index);
        }
    }

    /**
     * Parent, or the child when its parent vanished: asks the child to exit.
     */
    public void stop()
    {
        buffer.putLongVolatile(REQUESTED_OFFSET, STOP);
    }

    /**
     * @return the transport index, {@link #IDLE} or {@link #STOP}, as last written by the parent.
     */
    public long requested()
    {
        return buffer.getLongAcquire(REQUESTED_OFFSET);
    }

    /**
     * Child, in the echo loop when no ping waits.
     *
     * @param index the transport the loop serves.
     * @return whether the parent still wants it served.
     */
    public boolean isActive(final int index)
    {
        return buffer.getLongAcquire(REQUESTED_OFFSET) == index;
    }

    /**
     * Child, in a spinning echo loop that found no ping: spins once if the parent still wants the transport served.
     *
     * @param index the transport the loop serves.
     * @return false if the loop ends: the parent no longer wants it served.
     */
    public boolean idle(final int index)
    {
        if (!isActive(index))
        {
            return false;
        }
        Thread.onSpinWait();
        return true;
    }

    /**
     * Child: reports that it now serves a transport.
     *
     * @param index the transport's index.
     */
    public void acknowledge(final long index)
    {
        buffer.putLongRelease(ACKNOWLEDGED_OFFSET, index);
    }

    /**
     * Unmaps the control file.
     */
    @Override
    public void close()
    {
        file.close();
    }
}
