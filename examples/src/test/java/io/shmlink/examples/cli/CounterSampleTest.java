package io.shmlink.examples.cli;

import io.shmlink.examples.cli.CounterSample.Rate;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterSampleTest
{
    private static final long CREATED = 1_700_000_000_000L;

    @Test
    void theRateIsTheDeltaOfTheCountersOverTheElapsedTime()
    {
        final CounterSample earlier = new CounterSample(CREATED, 1_000, 5_000_000, 10_000_000_000L);
        final CounterSample later = new CounterSample(CREATED, 3_000, 9_000_000, 12_000_000_000L); // 2 s later

        final Rate rate = later.rateSince(earlier).orElseThrow();

        assertEquals(1_000.0, rate.messagesPerSecond(), 1e-9);
        assertEquals(2.0, rate.megabytesPerSecond(), 1e-9);
    }

    @Test
    void unchangedCountersGiveAZeroRateWhateverTheirTotals()
    {
        final CounterSample earlier = new CounterSample(CREATED, 1_000, 5_000_000, 0);
        final CounterSample later = new CounterSample(CREATED, 1_000, 5_000_000, 100_000_000L);

        assertEquals(Optional.of(new Rate(0.0, 0.0)), later.rateSince(earlier));
    }

    @Test
    void noRateAcrossAReCreatedChannelOrCountersGoingBackOrNoElapsedTime()
    {
        final CounterSample earlier = new CounterSample(CREATED, 1_000, 5_000_000, 0);

        assertTrue(new CounterSample(CREATED + 1, 2_000, 6_000_000, 1_000).rateSince(earlier).isEmpty());
        assertTrue(new CounterSample(CREATED, 999, 6_000_000, 1_000).rateSince(earlier).isEmpty());
        assertTrue(new CounterSample(CREATED, 2_000, 4_999_999, 1_000).rateSince(earlier).isEmpty());
        assertTrue(new CounterSample(CREATED, 2_000, 6_000_000, 0).rateSince(earlier).isEmpty());
    }
}
