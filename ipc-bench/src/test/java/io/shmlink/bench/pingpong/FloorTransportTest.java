package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The floor's throughput ring: a byte ring of the run's ring capacity, messages packed without a header, wrapping
 * where the next message no longer fits before the end.
 */
class FloorTransportTest
{
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int ROUNDS = 2;
    private static final int COUNT = 600;

    @Test
    void aMessageThatDoesNotFitBeforeTheEndOfTheRingStartsAtItsStart()
    {
        final int capacity = 1024;
        final int stride = FloorTransport.stride(100);

        assertEquals(104, stride);
        assertEquals(1024 + 920, FloorTransport.messageStart(1024 + 920, capacity, stride), "104 bytes left: fits");
        assertEquals(2048, FloorTransport.messageStart(1024 + 928, capacity, stride), "96 bytes left: skipped");
        assertEquals(2048, FloorTransport.messageStart(2048, capacity, stride), "at the start already");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 4096, 4099})
    void everyByteOfEveryBurstArrivesAcrossSeveralWrapsOfTheRing(final int messageLength) throws Exception
    {
        final LinkSpec link = new LinkSpec(Path.of("unused"), messageLength, true, 0);
        final long laps = (long)COUNT * FloorTransport.stride(messageLength) / link.ringCapacity();
        assertTrue(laps >= 5, "each burst wraps the ring several times: " + laps + " laps");

        // The run checks each burst's acknowledged count and checksum against what was sent, and throws if either
        // differs: a message misplaced at a wrap, lost, doubled or read short fails it.
        final BenchResult result = BenchRun.run(
            new PingPongOptions(List.of("floor"), ROUNDS, COUNT, COUNT, messageLength, null, 0, true, null), QUIET);

        final int offerInPlace = result.indexOf("floor offer/in-place");
        final int claimInPlace = result.indexOf("floor claim/in-place");
        final int offerCopyOut = result.indexOf("floor offer/copy-out");
        for (final int column : new int[]{offerInPlace, claimInPlace, offerCopyOut})
        {
            assertTrue(column >= 0, result.columns().toString());
            for (int r = 0; r < ROUNDS; r++)
            {
                assertTrue(result.megabytesPerSecond(r, column) > 0, result.columns().get(column) + " round " + r);
            }
        }
        assertFalse(result.session().runDirectory().toFile().exists(), "run directory deleted");
    }
}
