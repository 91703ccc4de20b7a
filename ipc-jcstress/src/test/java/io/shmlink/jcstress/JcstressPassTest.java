package io.shmlink.jcstress;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * In {@code -Pstress} only: every jcstress test of this module, run by jcstress in a child JVM in a short mode
 * ({@code -Dshmlink.jcstress.mode}, default {@code sanity}), must finish with no FORBIDDEN outcome, no error
 * and no timeout. The output, the HTML report and the result blob are left in {@code target/jcstress-stress/}.
 */
@Tag("stress")
class JcstressPassTest
{
    private static final Pattern RESULTS = Pattern.compile(
        "Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs");

    @Test
    void everyJcstressTestPassesWithNoForbiddenOutcomeOrError() throws Exception
    {
        final String mode = System.getProperty("shmlink.jcstress.mode", "sanity");
        final Path reportDir = Path.of("target", "jcstress-stress").toAbsolutePath();
        Files.createDirectories(reportDir);
        final Path log = reportDir.resolve("output.txt");
        final List<String> command = List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            RunJcstress.class.getName(), "-m", mode, "-r", reportDir.toString());
        final Process process = new ProcessBuilder(command)
            .directory(reportDir.toFile()) // where jcstress leaves its result blob
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        if (!process.waitFor(20, TimeUnit.MINUTES))
        {
            process.destroyForcibly().waitFor();
            fail("jcstress did not finish within 20 minutes; see " + log);
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        final Matcher last = lastMatch(output);
        assertNotNull(last, "jcstress printed no result line; see " + log);
        final long planned = Long.parseLong(last.group(1));
        final long passed = Long.parseLong(last.group(2));
        System.out.printf("jcstress -m %s: %d planned, %d passed, %s failed, %s soft errors, %s hard errors%n",
            mode, planned, passed, last.group(3), last.group(4), last.group(5));
        assertAll(
            () -> assertEquals(0, process.exitValue(), "jcstress exit code; see " + log),
            () -> assertTrue(output.contains("Failed tests: No matches."), "FORBIDDEN outcomes; see " + log),
            () -> assertTrue(output.contains("Error tests: No matches."), "errors or timeouts; see " + log),
            () -> assertEquals("0 0 0", last.group(3) + " " + last.group(4) + " " + last.group(5)),
            () -> assertTrue(planned > 0 && passed == planned, passed + " of " + planned + " passed"));
    }

    private static Matcher lastMatch(final String output)
    {
        final Matcher matcher = RESULTS.matcher(output);
        Matcher last = null;
        int from = 0;
        while (matcher.find(from))
        {
            last = RESULTS.matcher(output);
            last.find(matcher.start());
            from = matcher.end();
        }
        return last;
    }
}
