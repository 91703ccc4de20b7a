package io.shmlink.shm.segment;

import io.shmlink.api.ChannelConfig;
import io.shmlink.api.LostClaimInfo;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.TempRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;


import static io.shmlink.shm.segment.SegmentDescriptor.LAST_LOST_CLAIM_SEQUENCE_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

@Timeout(30) // a read that looped forever fails here instead of stalling the build
class LastLostClaimTest
{
    private static final LostClaimInfo CLAIM = new LostClaimInfo(4096, 72, (5 << 7) | 3, 4242, 1_700_000_000_000L);

    /** In /dev/shm: a registry refuses a directory on disk. */
    @RegisterExtension
    final TempRegistry shm =
        TempRegistry.open("last-lost-claim-test-").withChannel("chan", ChannelConfig.mpsc(8192));


    private static void store(final UnsafeBuffer header, final LostClaimInfo claim)
    {
        LastLostClaim.store(header, claim.position(), claim.length(), claim.session(), claim.pid(), claim.timeMillis());
    }

    @Test
    void aNewChannelHasNoLastLostClaim()
    {
        assertNull(shm.registry().lookup("chan").orElseThrow().lastLostClaim());
    }

    @Test
    void aStoredLostClaimIsReadWholeFromTheMappingAndFromTheFile()
    {
        SegmentEditor.edit(shm.channelFile(), header -> store(header, CLAIM));
        SegmentEditor.edit(shm.channelFile(), header -> assertEquals(CLAIM, LastLostClaim.read(header)));

        assertEquals(CLAIM, shm.registry().lookup("chan").orElseThrow().lastLostClaim());
        assertEquals(CLAIM, shm.registry().list().get(0).lastLostClaim());
    }

    @Test
    void aLaterLostClaimReplacesTheEarlierOne()
    {
        final LostClaimInfo later = new LostClaimInfo(8192, 16, 0, 0, CLAIM.timeMillis() + 5);
        SegmentEditor.edit(shm.channelFile(), header ->
        {
            store(header, CLAIM);
            store(header, later);
            assertEquals(4, header.getLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET), "two writes, even after each");
        });
        assertEquals(later, shm.registry().lookup("chan").orElseThrow().lastLostClaim());
    }

    @Test
    void aRecordLeftHalfWrittenReadsAsNoneUntilTheNextLostClaimIsWritten()
    {
        // a subscriber died between the odd and the even store of the sequence
        SegmentEditor.edit(shm.channelFile(), header ->
        {
            store(header, CLAIM);
            header.putLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET, 3);
        });
        assertNull(shm.registry().lookup("chan").orElseThrow().lastLostClaim(), "a half-written record is not shown");

        SegmentEditor.edit(shm.channelFile(), header -> store(header, CLAIM));

        SegmentEditor.edit(shm.channelFile(), header ->
            assertEquals(6, header.getLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET), "odd 5 while written, then 6"));
        assertEquals(CLAIM, shm.registry().lookup("chan").orElseThrow().lastLostClaim());
    }

    @Test
    void aReaderMeetingAWriteThatNeverEndsGivesUpInsteadOfWaiting()
    {
        SegmentEditor.edit(shm.channelFile(), header ->
        {
            header.putLongVolatile(LAST_LOST_CLAIM_SEQUENCE_OFFSET, 1);
            assertNull(LastLostClaim.read(header));
        });
    }
}
