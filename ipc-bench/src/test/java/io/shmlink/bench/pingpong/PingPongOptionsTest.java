package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PingPongOptionsTest
{
    @Test
    void noOptionsMeansTheQuickPresetOverEveryBuiltInTransport()
    {
        final PingPongOptions options = PingPongOptions.parse();

        assertEquals(PingPongOptions.QUICK, options);
        assertEquals(List.of("floor", "shmlink-spsc", "shmlink-mpsc", "agrona"), options.transports());
        assertNull(options.hgrmDirectory());
    }

    @Test
    void explicitValuesOverrideThePresetWhateverTheOrder()
    {
        final PingPongOptions options = PingPongOptions.parse(
            "--rounds", "3", "--full", "--transports", "floor,agrona", "--size", "1024", "--count", "1_000",
            "--hgrm", "out");

        assertEquals(List.of("floor", "agrona"), options.transports());
        assertEquals(3, options.rounds());
        assertEquals(1_000, options.count());
        assertEquals(PingPongOptions.FULL.warmup(), options.warmup());
        assertEquals(1024, options.messageLength());
        assertEquals(Path.of("out"), options.hgrmDirectory());
    }

    @Test
    void badOptionsAreRefusedWithTheirName()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--fast"))
            .getMessage().contains("--fast"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--size", "4"))
            .getMessage().contains("--size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--rounds", "0"))
            .getMessage().contains("--rounds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PingPongOptions.parse("--count"))
            .getMessage().contains("--count"));
    }

    @Test
    void unknownTransportsAndDuplicateNamesAreRefused()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Transports.create(List.of("uds")))
            .getMessage().contains("unknown transport 'uds'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Transports.create(List.of("floor", "floor")))
            .getMessage().contains("distinct"));
    }
}
