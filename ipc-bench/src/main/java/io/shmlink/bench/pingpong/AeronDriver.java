package io.shmlink.bench.pingpong;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.MediaDriverVersion;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How {@link AeronTransport} runs Aeron on a two-core host: the embedded media driver's settings, the channel, and
 * the clients' connection.
 * <p>
 * <b>Why the driver sleeps.</b> With {@code aeron:ipc} no message passes through the driver: the publisher writes
 * the shared log and the subscriber reads it. The driver's conductor only moves each publication's limit as its
 * subscriber advances (and cleans the terms behind it). The pinger and the echo already keep both cores busy, so a
 * busy-spinning driver would be a third spinning thread on two cores, and the scheduler would take cores away from
 * the pair being measured for whole time slices, not only during Aeron's rounds but during every other transport's
 * too, since the driver lives as long as the run. Measured here (10 rounds x 50,000, floor, shmlink-spsc, aeron):
 * with a busy-spinning SHARED driver every transport's max was 8-16 ms and the floor's mean doubled (300 ns against
 * 160), while the p50s did not move; with the driver asleep between duty cycles every transport's max stayed at
 * 1-7 ms, the run's other noise. So: {@link ThreadingMode#SHARED}, one thread for conductor, sender and receiver
 * (DEDICATED adds two threads that only wake to find no network work), idling with a 1 ms sleep.
 * <p>
 * <b>Why 2 MiB terms.</b> A sleeping conductor moves a publication's limit about once a millisecond. The limit runs
 * half a term ahead of the subscriber, so the term must hold more than a millisecond of traffic or the publisher
 * stalls until the conductor's next wake-up: with the 64 KiB of the ring transports (32 KiB window, some 500
 * messages of 32 bytes, 0.1 ms of ping-pong) one round trip in five hundred waited about a millisecond. 2 MiB
 * (a 1 MiB window, some 16,000 round trips, three milliseconds here) makes that wait vanish; larger terms only
 * spread the traffic over more memory ({@code p99} rose with 16 MiB). Messages too long for an eighth of that
 * (Aeron's limit) get the ring transports' capacity instead. The logs are not sparse: every page is touched when the
 * publication is created, not in a measured round.
 * <p>
 * <b>Throughput runs back off instead.</b> In a throughput run the subscriber advances as fast as memory moves, and a
 * limit moved once a millisecond caps the publisher at half a term per millisecond whatever the hardware: a sleeping
 * driver makes Aeron look broken there. So a throughput run ({@link LinkSpec#throughput()}) gives the driver Aeron's
 * own default idle strategy, {@link BackoffIdleStrategy} with its default settings (spin, then yield, then park from
 * 1 us up to 1 ms): under load its duty cycles always find work and never park, and between Aeron's bursts it parks.
 */
final class AeronDriver
{
    /** The channel of every subscription; publications add their term length. */
    static final String CHANNEL = "aeron:ipc";

    /** The directory of the embedded media driver, inside the transport's directory. */
    static final String DIRECTORY = "driver";

    /** The smallest term length; see the class comment. */
    static final int MIN_TERM_LENGTH = 2 * 1024 * 1024;

    private static final long DRIVER_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private AeronDriver()
    {
    }

    /**
     * The start of an Aeron transport's line in the report: the Aeron version, what is published, the terms and the
     * driver's settings.
     *
     * @param link         the run's link: a throughput run's driver backs off rather than sleeps.
     * @param publications what is published, e.g. "one exclusive publication".
     * @return e.g. "Aeron 1.48.4 IPC, one exclusive publication, terms of 2048 KiB, embedded driver (SHARED thread,
     * sleeping 1 ms when idle)".
     */
    static String describe(final LinkSpec link, final String publications)
    {
        return "Aeron " + MediaDriverVersion.VERSION + " IPC, " + publications + ", terms of " +
            termLength(link) / 1024 + " KiB, embedded driver (" + (link.throughput() ?
            "SHARED thread, backoff idle strategy (Aeron's default: spin, yield, park 1 us to 1 ms)" :
            "SHARED thread, sleeping 1 ms when idle") + ")";
    }

    /**
     * @param link the run's message length.
     * @return the term length of both publications: a power of two.
     */
    static int termLength(final LinkSpec link)
    {
        // ringCapacity() is a power of two of at least 8 framed messages: Aeron's own rule for the longest message.
        return Math.max(MIN_TERM_LENGTH, link.ringCapacity());
    }

    /**
     * @param link the run's message length.
     * @return the channel of a publication: IPC, {@link #termLength} terms, pre-touched.
     */
    static String channel(final LinkSpec link)
    {
        return CHANNEL + "?term-length=" + termLength(link) + "|sparse=false";
    }

    /**
     * Launches a media driver in this JVM, in the transport's directory ({@value #DIRECTORY}), which it deletes when
     * it closes.
     *
     * @param link the transport's directory; a throughput run's driver backs off instead of sleeping.
     * @return the running driver.
     */
    static MediaDriver launch(final LinkSpec link)
    {
        final IdleStrategy idle =
            link.throughput() ? new BackoffIdleStrategy() : new SleepingIdleStrategy(DRIVER_SLEEP_NS);
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory(link).toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(false)
            // Checks of free space on the log's file system, at every publication: /dev/shm is the run's own.
            .performStorageChecks(false)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle);
        return MediaDriver.launch(context);
    }

    /**
     * Connects a client, in either JVM, to the driver of {@link #launch}.
     *
     * @param link the transport's directory.
     * @return the client; its conductor thread sleeps between duty cycles (Aeron's default), off the data path.
     */
    static Aeron connect(final LinkSpec link)
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(directory(link).toString()));
    }

    private static Path directory(final LinkSpec link)
    {
        return link.directory().resolve(DIRECTORY);
    }
}
