package io.shmlink.bench.pingpong;

import org.HdrHistogram.Histogram;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DataFormatException;

/**
 * What a fresh pinger JVM ({@link FreshPingerMain}) measured in its one (round, transport) measurement, as the
 * parent ({@link FreshJvmRun}) reads it back from the file the pinger wrote: who measured, what the report describes
 * the transport as, the round trips, and the allocation counts.
 *
 * @param pingerPid       the pinger JVM's pid.
 * @param echoPid         the pid of the echo JVM that pinger started.
 * @param description     the transport's one-line description.
 * @param pingerAllocated bytes the pinging thread allocated in the measured loop.
 * @param echoAllocated   bytes the echo thread allocated in its loops (see {@link BenchResult#echoAllocatedBytes}),
 *                        or -1 if unknown.
 * @param roundTrips      the measured round trips, ns (corrected, at a fixed rate).
 * @param uncorrected     at a fixed rate the same round trips timed from their actual send; else null.
 */
record PingerReport(
    long pingerPid, long echoPid, String description, long pingerAllocated, long echoAllocated,
    Histogram roundTrips, Histogram uncorrected)
{
    /**
     * The report of a one-transport, one-round run made in this JVM.
     *
     * @param result what {@link BenchRun#run} returned.
     * @return the report.
     */
    static PingerReport of(final BenchResult result)
    {
        return new PingerReport(ProcessHandle.current().pid(), result.session().echoPid(), result.description(0),
            result.pingerAllocatedBytes(0), result.echoAllocatedBytes(0), result.round(0, 0),
            result.fixedRate() ? result.uncorrectedRound(0, 0) : null);
    }

    /**
     * Writes the report; the file is complete when this returns.
     *
     * @param file where.
     * @throws IOException if writing fails.
     */
    void write(final Path file) throws IOException
    {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file)))
        {
            out.writeLong(pingerPid);
            out.writeLong(echoPid);
            out.writeUTF(description);
            out.writeLong(pingerAllocated);
            out.writeLong(echoAllocated);
            writeHistogram(out, roundTrips);
            out.writeBoolean(uncorrected != null);
            if (uncorrected != null)
            {
                writeHistogram(out, uncorrected);
            }
        }
    }

    /**
     * Reads a report that {@link #write} wrote.
     *
     * @param file where.
     * @return the report.
     * @throws IOException if reading fails or the file is not a whole report.
     */
    static PingerReport read(final Path file) throws IOException
    {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file)))
        {
            final long pingerPid = in.readLong();
            final long echoPid = in.readLong();
            final String description = in.readUTF();
            final long pingerAllocated = in.readLong();
            final long echoAllocated = in.readLong();
            final Histogram roundTrips = readHistogram(in, file);
            final Histogram uncorrected = in.readBoolean() ? readHistogram(in, file) : null;
            return new PingerReport(pingerPid, echoPid, description, pingerAllocated, echoAllocated, roundTrips,
                uncorrected);
        }
    }

    private static void writeHistogram(final DataOutputStream out, final Histogram histogram) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        out.writeInt(length);
        out.write(buffer.array(), 0, length);
    }

    private static Histogram readHistogram(final DataInputStream in, final Path file) throws IOException
    {
        final int length = in.readInt();
        if (length < 0 || length > Files.size(file))
        {
            throw new IOException(file + ": a histogram of " + length + " bytes in a file of " + Files.size(file));
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes),
                RoundTripLoop.HIGHEST_TRACKABLE_NS);
        }
        catch (final DataFormatException ex)
        {
            throw new IOException(file + ": not a histogram", ex);
        }
    }
}
