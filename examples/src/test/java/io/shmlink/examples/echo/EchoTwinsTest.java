package io.shmlink.examples.echo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The point of the echo examples: a socket program moves to ShmLink by changing a handful of lines. Each
 * {@code *Shm.java} may differ from its {@code *Tcp.java} twin by at most {@value #MAX_CHANGED_LINES} lines on
 * either side, and the {@code diff -u} of the servers in {@code docs/SOCKETS.md} must still be the true diff.
 */
class EchoTwinsTest
{
    private static final int MAX_CHANGED_LINES = 5;
    private static final Path SOURCES = Path.of("src/main/java/io/shmlink/examples/echo");
    private static final Path SOCKETS_DOC = Path.of("../docs/SOCKETS.md");
    private static final String SECTION = "## The echo twins";
    private static final Pattern HUNK = Pattern.compile("@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@.*");

    @ParameterizedTest
    @ValueSource(strings = {"EchoServer", "EchoClient"})
    void theShmProgramDiffersFromItsTcpTwinInAtMostFiveLines(final String program) throws IOException
    {
        final List<String> tcp = lines(program + "Tcp.java");
        final List<String> shm = lines(program + "Shm.java");
        final int[] changed = LineDiff.changedLines(tcp, shm);
        System.out.printf("%s: %d lines of the TCP file changed, %d lines of the Shm file%n",
            program, changed[0], changed[1]);
        assertTrue(changed[0] <= MAX_CHANGED_LINES, program + "Tcp.java: " + changed[0] + " lines not in the Shm twin");
        assertTrue(changed[1] <= MAX_CHANGED_LINES, program + "Shm.java: " + changed[1] + " lines not in the TCP twin");
        assertTrue(changed[1] >= 1, "the twins must at least differ in their class name");
    }

    @Test
    void theLineDiffCountsReplacedInsertedAndDeletedLines()
    {
        assertArrayEquals(new int[] {0, 0}, LineDiff.changedLines(List.of("a", "b"), List.of("a", "b")));
        assertArrayEquals(new int[] {1, 1}, LineDiff.changedLines(List.of("a", "b", "c"), List.of("a", "x", "c")));
        assertArrayEquals(new int[] {0, 2}, LineDiff.changedLines(List.of("a", "c"), List.of("a", "b", "c", "d")));
        assertArrayEquals(new int[] {2, 0}, LineDiff.changedLines(List.of("x", "a", "y"), List.of("a")));
        assertArrayEquals(new int[] {1, 2}, LineDiff.changedLines(List.of("a", "b"), List.of("b", "a", "c")));
    }

    /**
     * Applies the diff in docs/SOCKETS.md to EchoServerTcp.java: the result must be EchoServerShm.java, and every
     * hunk's header must count its lines right.
     */
    @Test
    void theDocumentedDiffTurnsTheTcpServerIntoTheShmServer() throws IOException
    {
        final List<String> diff = docDiff();
        assertEquals("--- EchoServerTcp.java", diff.get(0));
        assertEquals("+++ EchoServerShm.java", diff.get(1));
        final List<String> tcp = lines("EchoServerTcp.java");
        final List<String> patched = new ArrayList<>();
        int next = 0; // the next TCP line (0-based) not yet copied
        int hunks = 0;
        for (int i = 2; i < diff.size(); )
        {
            final Matcher header = HUNK.matcher(diff.get(i));
            assertTrue(header.matches(), "not a hunk header: " + diff.get(i));
            hunks++;
            final int oldStart = Integer.parseInt(header.group(1));
            final int oldCount = header.group(2) == null ? 1 : Integer.parseInt(header.group(2));
            final int newStart = Integer.parseInt(header.group(3));
            final int newCount = header.group(4) == null ? 1 : Integer.parseInt(header.group(4));
            while (next < (oldCount == 0 ? oldStart : oldStart - 1)) // an insertion names the line before it
            {
                patched.add(tcp.get(next++));
            }
            assertEquals(newStart, newCount == 0 ? patched.size() : patched.size() + 1, "new start of " + diff.get(i));
            int oldSeen = 0;
            int newSeen = 0;
            for (i++; i < diff.size() && !diff.get(i).startsWith("@@"); i++)
            {
                final String line = diff.get(i);
                final String text = line.isEmpty() ? "" : line.substring(1);
                switch (line.isEmpty() ? ' ' : line.charAt(0))
                {
                    case ' ' ->
                    {
                        assertEquals(tcp.get(next++), text, "context line of the docs/SOCKETS.md diff");
                        patched.add(text);
                        oldSeen++;
                        newSeen++;
                    }
                    case '-' ->
                    {
                        assertEquals(tcp.get(next++), text, "removed line of the docs/SOCKETS.md diff");
                        oldSeen++;
                    }
                    case '+' ->
                    {
                        patched.add(text);
                        newSeen++;
                    }
                    default -> fail("not a diff line: " + line);
                }
            }
            assertEquals(oldCount, oldSeen, "old line count of hunk " + hunks);
            assertEquals(newCount, newSeen, "new line count of hunk " + hunks);
        }
        while (next < tcp.size())
        {
            patched.add(tcp.get(next++));
        }
        assertTrue(hunks >= 1, "the docs/SOCKETS.md diff has no hunk");
        assertEquals(lines("EchoServerShm.java"), patched, "the docs/SOCKETS.md diff applied to EchoServerTcp.java");
    }

    /** The lines of the fenced {@code diff} block in the echo twins section of docs/SOCKETS.md. */
    private static List<String> docDiff() throws IOException
    {
        final List<String> doc = Files.readAllLines(SOCKETS_DOC);
        final int section = doc.indexOf(SECTION);
        assertTrue(section >= 0, "docs/SOCKETS.md has no '" + SECTION + "' section");
        int start = section;
        while (start < doc.size() && !doc.get(start).equals("```diff"))
        {
            start++;
        }
        assertTrue(start < doc.size(), "the echo twins section has no ```diff block");
        final int end = doc.subList(start + 1, doc.size()).indexOf("```") + start + 1;
        assertTrue(end > start, "the ```diff block is not closed");
        return doc.subList(start + 1, end);
    }

    private static List<String> lines(final String file) throws IOException
    {
        return Files.readAllLines(SOURCES.resolve(file));
    }
}
