package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageSizeTransportTest
{
    @AfterEach
    void clearProperty()
    {
        System.clearProperty(PageSizeTransport.HUGE_DIRECTORY_PROPERTY);
    }

    @Test
    void theOneGibibyteTransportsRunOnlyWhenNamed()
    {
        assertEquals(List.of("shmlink-spsc-1g", "shmlink-spsc-1g-huge"), Transports.byNameOnly().subList(0, 2));
        assertFalse(PingPongOptions.parse("--transports", "all").transports().contains("shmlink-spsc-1g"));
        assertTrue(PingPongOptions.USAGE.contains("shmlink-spsc-1g-huge"));
        try (Transport transport = Transports.create("shmlink-spsc-1g"))
        {
            assertEquals("shmlink-spsc-1g", transport.name());
            assertEquals(ThroughputModes.OFFER_AND_CLAIM, transport.throughputModes());
            assertEquals(List.of(), transport.childJvmFlags());
        }
    }

    @Test
    void theHugePageTransportNamesThePropertyItNeeds()
    {
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> Transports.create("shmlink-spsc-1g-huge"));
        assertTrue(refused.getMessage().contains("-D" + PageSizeTransport.HUGE_DIRECTORY_PROPERTY + "="),
            refused.getMessage());
    }

    @Test
    void theHugePageTransportRefusesADirectoryWithoutHugePages(@TempDir final Path directory)
    {
        System.setProperty(PageSizeTransport.HUGE_DIRECTORY_PROPERTY, directory.toString());
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> Transports.create("shmlink-spsc-1g-huge"));
        assertTrue(refused.getMessage().contains("gives no huge pages"), refused.getMessage());
    }
}
