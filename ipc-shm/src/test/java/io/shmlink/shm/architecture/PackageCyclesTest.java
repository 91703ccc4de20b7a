package io.shmlink.shm.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The packages of the library show its architecture only if they form layers: no package may reach, through its
 * imports, a package that reaches it back.
 */
class PackageCyclesTest
{
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern IMPORT = Pattern.compile(
        "^import (?:static )?(io\\.shmlink\\.shm(?:\\.[a-z]+)*)\\.[A-Z]", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    @Test
    void noPackageOfTheLibraryDependsOnItselfThroughAnother() throws IOException
    {
        final Map<String, Set<String>> dependencies = dependencies();
        assertFalse(dependencies.isEmpty(), "no sources found under " + SOURCES.toAbsolutePath());
        final List<String> cycles = new ArrayList<>();
        for (final String from : dependencies.keySet())
        {
            for (final String to : dependencies.get(from))
            {
                if (reaches(dependencies, to, from, new TreeSet<>()))
                {
                    cycles.add(from + " -> " + to);
                }
            }
        }
        assertEquals(List.of(), cycles, "imports that close a cycle between packages");
    }

    private static boolean reaches(
        final Map<String, Set<String>> dependencies, final String from, final String to, final Set<String> seen)
    {
        if (from.equals(to))
        {
            return true;
        }
        if (!seen.add(from))
        {
            return false;
        }
        for (final String next : dependencies.getOrDefault(from, Set.of()))
        {
            if (reaches(dependencies, next, to, seen))
            {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Set<String>> dependencies() throws IOException
    {
        final Map<String, Set<String>> dependencies = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES))
        {
            for (final Path file : files.filter(path -> path.toString().endsWith(".java")).toList())
            {
                final String source = Files.readString(file);
                final Matcher packageName = PACKAGE.matcher(source);
                if (!packageName.find())
                {
                    continue;
                }
                final Set<String> imported = dependencies.computeIfAbsent(packageName.group(1), k -> new TreeSet<>());
                final Matcher imports = IMPORT.matcher(source);
                while (imports.find())
                {
                    if (!imports.group(1).equals(packageName.group(1)))
                    {
                        imported.add(imports.group(1));
                    }
                }
            }
        }
        return dependencies;
    }
}
