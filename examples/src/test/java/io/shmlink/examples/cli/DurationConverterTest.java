package io.shmlink.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationConverterTest
{
    @ParameterizedTest
    @CsvSource({
        "10s, 10000",
        "0s, 0",
        "5m, 300000",
        "5M, 300000",
        "250ms, 250",
        "250MS, 250",
        "2h, 7200000",
        "1d, 86400000",
        "PT10S, 10000",
        "pt1m30s, 90000"})
    void parsesNumbersWithUnitsAndIso8601(final String text, final long expectedMillis)
    {
        assertEquals(Duration.ofMillis(expectedMillis), DurationConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "1.5s", "-5s", "10 s", " 10s", "10sec", "10y", "5mm", "P", "PTXS", "+5s"})
    void refusesMalformedDurationsNamingTheValue(final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse(text));
        assertTrue(ex.getMessage().contains("'" + text + "'"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-PT5S", "PT-5S"})
    void refusesNegativeDurations(final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse(text));
        assertTrue(ex.getMessage().contains("negative"), ex.getMessage());
    }

    @Test
    void refusesDurationsThatOverflowMilliseconds()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("999999999999999999d"));
        assertTrue(ex.getMessage().contains("too large"), ex.getMessage());
    }

    @Test
    void thePicocliConverterReportsBadDurationsAsConversionErrors()
    {
        assertEquals(Duration.ofSeconds(3), new DurationConverter().convert("3s"));
        final TypeConversionException ex =
            assertThrows(TypeConversionException.class, () -> new DurationConverter().convert("10"));
        assertTrue(ex.getMessage().contains("'10'"), ex.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "10000, 10s", "300000, 5m", "7200000, 2h", "86400000, 1d", "1500, 1500ms", "90000, 90s"})
    void formatsWithTheLargestExactUnit(final long millis, final String expected)
    {
        assertEquals(expected, DurationConverter.format(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), DurationConverter.parse(expected));
    }
}
