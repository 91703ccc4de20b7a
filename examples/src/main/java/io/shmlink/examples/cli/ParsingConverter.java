package io.shmlink.examples.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.function.Function;

/**
 * A picocli converter over one of the tool's parsers, which throw an {@link IllegalArgumentException} that quotes
 * the rule: picocli reports it as a usage error (exit code 2) with that message.
 *
 * @param <T> what the parser returns.
 */
abstract class ParsingConverter<T> implements ITypeConverter<T>
{
    private final Function<String, T> parser;

    /**
     * @param parser parses a value, throwing {@link IllegalArgumentException} with the rule if it is bad.
     */
    ParsingConverter(final Function<String, T> parser)
    {
        this.parser = parser;
    }

    /**
     * For picocli: turns a bad value into a usage error (exit code 2) that quotes the rule.
     */
    @Override
    public T convert(final String value)
    {
        try
        {
            return parser.apply(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }
}
