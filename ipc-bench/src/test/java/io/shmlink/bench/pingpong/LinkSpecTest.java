package io.shmlink.bench.pingpong;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LinkSpecTest
{
    private static LinkSpec throughput(final int messageLength)
    {
        return new LinkSpec(Path.of("/dev/shm/unused"), messageLength, true, 0);
    }

    @Test
    void aSinksPollTakesAnEighthOfTheRing()
    {
        assertEquals(65536 / 8 / 56, throughput(56).sinkBatch(), "56 B messages in a 64 KiB ring");
        assertEquals(2, throughput(4096).sinkBatch(), "4 KiB messages in a 64 KiB ring");
        assertEquals(2, throughput(65536).sinkBatch(), "64 KiB messages in a 1 MiB ring");
        assertEquals(2, throughput(LinkSpec.MAX_MESSAGE_LENGTH).sinkBatch(), "16 MiB messages in a 256 MiB ring");
    }
}
