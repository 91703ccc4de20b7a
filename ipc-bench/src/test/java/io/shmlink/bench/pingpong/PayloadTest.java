package io.shmlink.bench.pingpong;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadTest
{
    private static final int[] LENGTHS = {48, 63, 64, 65, 100, 4096, 4099, 65536};
    /** Bytes before and after a filled message that must stay zero. */
    private static final int GUARD = 24;

    @Test
    void theSendersExpectedChecksumIsTheFoldOfWhatItSendsByOfferAndByClaim()
    {
        for (final int length : LENGTHS)
        {
            final Payload payload = new Payload(length);
            final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[GUARD + length + GUARD]);
            final UnsafeBuffer offHeap = new UnsafeBuffer(BufferUtil.allocateDirectAligned(GUARD + length + GUARD, 64));
            for (final UnsafeBuffer claimed : new UnsafeBuffer[] {onHeap, offHeap})
            {
                for (long sequence = 1; sequence < 40; sequence++)
                {
                    final boolean last = sequence % 7 == 0;
                    final long expected = payload.expected(sequence, last);
                    final UnsafeBuffer offered = payload.stamp(sequence, last);
                    assertEquals(expected, Payload.fold(offered, 0, length), "offer " + length);
                    payload.fill(claimed, GUARD, sequence, last);
                    assertEquals(expected, Payload.fold(claimed, GUARD, length), "claim " + length);
                    for (int i = 0; i < length; i++)
                    {
                        assertEquals(offered.getByte(i), claimed.getByte(GUARD + i),
                            "offer and claim write the same message, byte " + i + " of " + length);
                    }
                }
                for (int i = 0; i < GUARD; i++)
                {
                    assertEquals(0, claimed.getByte(i), "byte " + i + " before the message written");
                    assertEquals(0, claimed.getByte(GUARD + length + i), "byte " + i + " after the message written");
                }
            }
        }
    }

    @Test
    void aFillThatWouldLeaveItsBufferIsRefusedBeforeItWritesAByte()
    {
        final int length = 4099;
        final Payload payload = new Payload(length);
        final UnsafeBuffer tooShort = new UnsafeBuffer(new byte[length + 23]);
        assertThrows(IndexOutOfBoundsException.class, () -> payload.fill(tooShort, 24, 1, false));
        for (int i = 0; i < tooShort.capacity(); i++)
        {
            assertEquals(0, tooShort.getByte(i), "byte " + i + " written");
        }
    }

    @Test
    void everyLineOfAMessageChangesFromOneMessageToTheNext()
    {
        final int length = 4096;
        final Payload payload = new Payload(length);
        final UnsafeBuffer first = new UnsafeBuffer(new byte[length]);
        first.putBytes(0, payload.stamp(1, false), 0, length);
        final UnsafeBuffer second = payload.stamp(2, false);
        for (int line = 0; line < length; line += 64)
        {
            assertNotEquals(first.getLong(line), second.getLong(line), "line at " + line + " unchanged");
        }
    }

    @Test
    void aSinkThatReadsEveryByteAgreesWithTheSenderInBothModes()
    {
        final int length = 4100;
        final Payload payload = new Payload(length);
        for (final SinkMode mode : SinkMode.values())
        {
            try (BurstSink sink = new BurstSink(length))
            {
                sink.mode(mode);
                final int count = 25;
                for (int i = 0; i < count; i++)
                {
                    final boolean asked = sink.onMessage(payload.stamp(100 + i, i == count - 1), 0, length);
                    assertEquals(i == count - 1, asked, mode + " message " + i);
                }
                final Acknowledgement acknowledgement = new Acknowledgement().read(sink.acknowledgement(), 0);
                assertEquals(count, acknowledgement.count(), mode.label());
                assertEquals(payload.expectedBurst(100, count), acknowledgement.checksum(), mode.label());
            }
        }
    }

    @Test
    void aSinkThatSkipsPartOfAMessageOrGetsAStaleOneIsCaught()
    {
        final int length = 4096;
        final Payload payload = new Payload(length);
        final UnsafeBuffer partial = new UnsafeBuffer(new byte[length]);

        // Skips the second half of one message: reads zeros where the sender wrote its pattern and stamps.
        try (BurstSink sink = new BurstSink(length))
        {
            sink.onMessage(payload.stamp(1, false), 0, length);
            partial.putBytes(0, payload.stamp(2, true), 0, length / 2);
            assertTrue(sink.onMessage(partial, 0, length));
            final long checksum = new Acknowledgement().read(sink.acknowledgement(), 0).checksum();
            assertNotEquals(payload.expectedBurst(1, 2), checksum);
        }

        // Sees the previous message's bytes again (a sender that rewrote only the protocol word, or a stale ring).
        try (BurstSink sink = new BurstSink(length))
        {
            sink.onMessage(payload.stamp(1, false), 0, length);
            final UnsafeBuffer stale = payload.stamp(1, false);
            stale.putLong(0, BurstProtocol.encode(2, true));
            assertTrue(sink.onMessage(stale, 0, length));
            final Acknowledgement acknowledgement = new Acknowledgement().read(sink.acknowledgement(), 0);
            assertEquals(2, acknowledgement.count());
            assertNotEquals(payload.expectedBurst(1, 2), acknowledgement.checksum());
        }
    }

    @Test
    void aMessageOfTheWrongLengthIsRefused()
    {
        try (BurstSink sink = new BurstSink(64))
        {
            final IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
                sink.onMessage(new UnsafeBuffer(new byte[128]), 0, 128));
            assertTrue(failure.getMessage().contains("128 bytes, expected 64"), failure.getMessage());
        }
    }

    @Test
    void theAcknowledgementCarriesCountsSinceThePreviousOne()
    {
        final int length = 64;
        final Payload payload = new Payload(length);
        try (BurstSink sink = new BurstSink(length))
        {
            assertFalse(sink.onMessage(payload.stamp(1, false), 0, length));
            assertTrue(sink.onMessage(payload.stamp(2, true), 0, length));
            assertTrue(sink.onMessage(payload.stamp(3, true), 0, length));
            final Acknowledgement acknowledgement = new Acknowledgement().read(sink.acknowledgement(), 0);
            assertEquals(1, acknowledgement.count());
            assertEquals(payload.expectedBurst(3, 1), acknowledgement.checksum());
        }
    }
}
