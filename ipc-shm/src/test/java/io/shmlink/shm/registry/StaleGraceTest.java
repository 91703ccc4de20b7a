package io.shmlink.shm.registry;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.segment.SegmentDescriptor;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The grace a channel without live parties is given is a bound the cleanup reaches, read at the millisecond the
 * heartbeats are written in: a channel idle for exactly the grace is stale, one a millisecond short of it is not.
 * A grace of zero therefore removes a channel whose last party left in the very millisecond of the cleanup. The
 * grace of a channel nobody ever attached to is bounded the same way.
 */
class StaleGraceTest
{
    /** Above any Linux pid_max, so no process has it. */
    private static final long DEAD_PID = Integer.MAX_VALUE;
    private static final Duration GRACE = Duration.ofSeconds(10);

    @RegisterExtension
    final TempRegistry shm = TempRegistry.open("shmlink-stale-grace-");

    private Path channel;
    private long created;
    private long lastHeartbeat;

    /** A channel whose creator is dead. */
    @BeforeEach
    void aChannelOfADeadCreator()
    {
        shm.registry().create("left", ChannelConfig.spsc(1 << 16));
        channel = shm.directory().resolve("left");
        SegmentEditor.edit(channel, b ->
        {
            b.putLong(SegmentDescriptor.CREATOR_PID_OFFSET, DEAD_PID);
            created = b.getLong(SegmentDescriptor.CREATION_TIME_OFFSET);
        });
    }

    /** Its only subscriber came and left, its last heartbeat at a known millisecond. */
    private void everyPartyLeft()
    {
        shm.registry().subscriber("left").close();
        lastHeartbeat = created + 1_000;
        SegmentEditor.edit(channel, b -> b.putLong(SegmentDescriptor.SUBSCRIBER_HEARTBEAT_OFFSET, lastHeartbeat));
    }

    @Test
    void aGraceOfZeroRemovesAChannelWhoseLastPartyLeftThisMillisecond()
    {
        everyPartyLeft();
        assertEquals(List.of(), clean(Duration.ZERO, lastHeartbeat - 1, true), "not yet left a millisecond before");
        assertEquals(List.of(channel), clean(Duration.ZERO, lastHeartbeat, false));
    }

    @Test
    void aChannelIsStaleOnceIdleForExactlyTheGrace()
    {
        everyPartyLeft();
        assertEquals(List.of(), clean(GRACE, lastHeartbeat + GRACE.toMillis() - 1, true));
        assertEquals(List.of(channel), clean(GRACE, lastHeartbeat + GRACE.toMillis(), false));
    }

    @Test
    void aChannelNobodyAttachedToIsStaleOnceExactlyTheUnattachedGraceOld()
    {
        final Duration unattachedGrace = Duration.ofHours(1);
        final long old = created + unattachedGrace.toMillis();
        assertEquals(List.of(), clean(Duration.ZERO, unattachedGrace, old - 1, true), "the idle grace is not its");
        assertEquals(List.of(channel), clean(Duration.ZERO, unattachedGrace, old, false));
    }

    private List<Path> clean(final Duration grace, final long now, final boolean dryRun)
    {
        return clean(grace, Duration.ofDays(1), now, dryRun);
    }

    private List<Path> clean(final Duration grace, final Duration unattachedGrace, final long now, final boolean dryRun)
    {
        return StaleChannels.clean(shm.directory(), grace, unattachedGrace, true, dryRun, now);
    }
}
