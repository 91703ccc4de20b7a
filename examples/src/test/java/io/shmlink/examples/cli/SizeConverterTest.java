package io.shmlink.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizeConverterTest
{
    @ParameterizedTest
    @CsvSource({
        "65536, 65536",
        "0, 0",
        "64k, 65536",
        "64K, 65536",
        "1m, 1048576",
        "1M, 1048576",
        "1g, 1073741824",
        "1G, 1073741824",
        "4096k, 4194304",
        "0k, 0",
        "1073741824, 1073741824"})
    void parsesBytesAndBinaryMultiples(final String text, final int expected)
    {
        assertEquals(expected, SizeConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "k", "-1", "-4k", "1.5m", "64kb", "64 k", " 64k", "64k ", "1t", "0x1000", "m1",
        "1kk", "+4k"})
    void refusesMalformedSizesNamingTheValue(final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> SizeConverter.parse(text));
        assertTrue(ex.getMessage().contains("'" + text + "'"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1073741825", "1025m", "2g", "2048m", "2147483647", "2147483648", "9223372036854775807",
        "9999999999999999999", "9999999999999999g"})
    void refusesSizesBeyondTheLargestChannelNamingTheLimit(final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> SizeConverter.parse(text));
        assertTrue(ex.getMessage().contains("'" + text + "' is too large: at most 1g (1073741824 bytes)"),
            ex.getMessage());
    }

    @Test
    void thePicocliConverterReportsBadSizesAsConversionErrors()
    {
        assertEquals(4096, new SizeConverter().convert("4k"));
        final TypeConversionException ex =
            assertThrows(TypeConversionException.class, () -> new SizeConverter().convert("4q"));
        assertTrue(ex.getMessage().contains("'4q'"), ex.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"65536, 64k", "1048576, 1m", "1073741824, 1g", "1000, 1000", "0, 0", "512, 512", "1536, 1536",
        "3072, 3k"})
    void formatsWithTheLargestExactUnitSoOutputCanBeTypedBack(final long bytes, final String expected)
    {
        assertEquals(expected, SizeConverter.format(bytes));
        assertEquals(bytes, SizeConverter.parse(expected));
    }
}
