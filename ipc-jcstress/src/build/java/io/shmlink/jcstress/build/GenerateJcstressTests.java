package io.shmlink.jcstress.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.shmlink.jcstress.build.GenerateJcstressTests.Mode.MPMC;
import static io.shmlink.jcstress.build.GenerateJcstressTests.Mode.MPSC;
import static io.shmlink.jcstress.build.GenerateJcstressTests.Mode.SPMC;
import static io.shmlink.jcstress.build.GenerateJcstressTests.Mode.SPSC;

/**
 * Writes the jcstress tests of {@code ipc-jcstress} that only drive a shared race fixture: one class for each row
 * of {@link #TESTS} and each mode it names, into the directory given as the one argument. The module's pom runs it
 * at generate-sources with no prior compile ({@code java GenerateJcstressTests.java
 * target/generated-sources/jcstress}) and compiles that directory with {@code src/main/java}, so jcstress's
 * annotation processor sees the generated tests too.
 * <p>
 * Why generate them: jcstress's annotation processor reads only the {@code @Actor} and {@code @Arbiter} methods
 * that a {@code @JCStressTest} class declares itself, never inherited ones. So the same race run on SPSC and on
 * MPSC is two classes of the same shape, each declaring every actor as a one-line call on the fixture. jcstress's
 * own project likewise generates its many same-shaped tests from templates. What is maintained is the fixtures in
 * {@code src/main/java} (the race, and its {@code @Outcome}s, read through {@code @JCStressMeta}) and the table
 * below; the generated classes are not in git.
 * <p>
 * To add a test of a race listed here, add a row to {@link #TESTS}. For a new race, write its fixture, declare how
 * a test drives it (a {@link Race}), and add its rows. A test with a body of its own is written by hand.
 */
public final class GenerateJcstressTests
{
    private static final String PACKAGE = "io.shmlink.jcstress";
    private static final String GENERATOR =
        "ipc-jcstress/src/build/java/io/shmlink/jcstress/build/GenerateJcstressTests.java";
    private static final String III = "III_Result";
    private static final String IIII = "IIII_Result";

    // How a test drives each race: its field (%s: the mode's argument), then its actors and arbiter, each one call.
    private static final List<Method> PUBLISH_POLL_DRAIN =
        List.of(actor("publisher", "publish()"), actor("subscriber", IIII, "poll(r)"), arbiter(IIII, "drain(r)"));
    private static final Race CLAIM_ABORT =
        new Race("ClaimAbortRace race = new ClaimAbortRace(%s)", PUBLISH_POLL_DRAIN);
    private static final Race SHORT_COMMIT =
        new Race("ShortCommitRace race = new ShortCommitRace(%s)", PUBLISH_POLL_DRAIN);
    private static final Race OFFER = new Race("CommitRace race = new CommitRace(%s)", List.of(
        actor("publisher", "offer()"), actor("subscriber", III, "poll(r)"), arbiter(III, "drain(r)")))
        .withOutcomes("CommitRace.Offered");
    private static final Race CLAIM_COMMIT = new Race("CommitRace race = new CommitRace(%s)", List.of(
        actor("publisher", "claimAndCommit()"), actor("subscriber", IIII, "poll(r)"), arbiter(IIII, "drain(r)")))
        .withOutcomes("CommitRace.ClaimedAndCommitted");
    private static final Race LOST_CLAIM = new Race("LostClaimRace race = new LostClaimRace(%s)", List.of(
        actor("publisherA", "commitA()"), actor("subscriber", "skipAndPoll()"), arbiter(IIII, "drain(r)")));
    private static final Race POSITIONS = new Race("PositionsRace race = new PositionsRace(%s)", List.of(
        actor("publisher", IIII, "publish(r)"), actor("subscriber", IIII, "poll(r)")));
    private static final Race GATING = new Race("FanOutGating gating = new FanOutGating(%s)", List.of(
        actor("publisher", "publish()"), actor("slowSubscriber", III, "read(r)"), arbiter(III, "drain(r)")))
        .withImport("io.shmlink.api.ChannelMode");
    private static final Race LATE_COMMIT = heldClaimLap("commit()");
    private static final Race LATE_ABORT = heldClaimLap("abort()");

    /**
     * Every generated test: its name after its mode's prefix, the race it runs, its description (%s: the mode),
     * and the modes it runs on, one class each: {@code SpscClaimAbortTest}, {@code MpscClaimAbortTest} and so on.
     */
    private static final List<Tests> TESTS = List.of(
        new Tests("ClaimAbortTest", CLAIM_ABORT, "%s claim then abort leaves no visible record", SPSC, MPSC),
        new Tests("ShortCommitTest", SHORT_COMMIT,
            "%s claim committed shorter: the message, then the marker, never the unused rest", SPSC, MPSC),
        new Tests("CommitTest", OFFER,
            "%s offer racing poll: a record's payload is never observed before its commit", SPSC),
        new Tests("ClaimCommitTest", CLAIM_COMMIT, "%s tryClaim+commit racing poll: payload never visible before the" +
            " commit; consumed space marked free", MPSC),
        new Tests("LostClaimTest", LOST_CLAIM,
            "%s lost-claim skip never drops a committed record; a commit that loses the race is counted", SPSC, MPSC),
        new Tests("PositionsTest", POSITIONS, "%s head and tail positions never go backwards", SPSC, MPSC),
        new Tests("GatingTest", GATING,
            "An %s publisher never overwrites what the slowest subscriber has not read", SPMC, MPMC),
        new Tests("LateCommitLapTest", LATE_COMMIT,
            "%s: a late commit of a skipped claim never reaches a later lap's record at its index", MPSC),
        new Tests("LateAbortLapTest", LATE_ABORT,
            "%s: a late abort of a skipped claim never reaches a later lap's record at its index", MPSC));

    private GenerateJcstressTests()
    {
    }

    /**
     * The race of a skipped claim held past the timeout, in which publisher A lets go of it at last (MPSC only).
     *
     * @param release how A lets go: a call on its claim.
     * @return the race, with B's offer, the subscriber and the arbiter of {@code HeldClaimLap}.
     */
    private static Race heldClaimLap(final String release)
    {
        return new Race("HeldClaimLap lap = new HeldClaimLap()", List.of(
            actor("publisherA", "claim." + release), actor("publisherB", "publisherB()"),
            actor("subscriber", "subscriber()"), arbiter(IIII, "drain(r)")));
    }

    private static Method actor(final String name, final String call)
    {
        return new Method("Actor", name, null, call);
    }

    private static Method actor(final String name, final String result, final String call)
    {
        return new Method("Actor", name, result, call);
    }

    private static Method arbiter(final String result, final String call)
    {
        return new Method("Arbiter", "drain", result, call);
    }

    /**
     * A channel mode a test runs on: the prefix of the test's name, and the argument a race fixture takes for it
     * (the SPSC and MPSC rings' fixtures take whether the ring is MPSC, the fan-out one its {@code ChannelMode}).
     */
    enum Mode
    {
        SPSC("Spsc", "false"),
        MPSC("Mpsc", "true"),
        SPMC("Spmc", "ChannelMode.SPMC"),
        MPMC("Mpmc", "ChannelMode.MPMC");

        private final String prefix;
        private final String argument;

        Mode(final String prefix, final String argument)
        {
            this.prefix = prefix;
            this.argument = argument;
        }
    }

    /**
     * One actor or arbiter method of a generated test: {@code @annotation public void name(final result r)},
     * whose body is one call on the fixture's field.
     */
    private record Method(String annotation, String name, String result, String call)
    {
        String source(final String field)
        {
            final String parameter = result == null ? "" : "final " + result + " r";
            return "    @" + annotation + "\n" +
                "    public void " + name + "(" + parameter + ")\n" +
                "    {\n" +
                "        " + field + "." + call + ";\n" +
                "    }\n";
        }
    }

    /**
     * How a test drives a race fixture: the declaration of its field ({@code "ClaimAbortRace race = new
     * ClaimAbortRace(%s)"}, {@code %s} the mode's argument), its actors and arbiter, the class whose
     * {@code @Outcome}s the tests take (the fixture's unless set), and any import the fixture's argument needs.
     */
    private record Race(String declaration, List<Method> methods, String outcomes, List<String> imports)
    {
        Race(final String declaration, final List<Method> methods)
        {
            this(declaration, methods, declaration.split(" ")[0], List.of());
        }

        Race withOutcomes(final String outcomesClass)
        {
            return new Race(declaration, methods, outcomesClass, imports);
        }

        Race withImport(final String importedType)
        {
            return new Race(declaration, methods, outcomes, List.of(importedType));
        }

        String type()
        {
            return declaration.split(" ")[0];
        }

        String field()
        {
            return declaration.split(" ")[1];
        }
    }

    /** A row of {@link #TESTS}: the tests of one race, one for each mode. */
    private record Tests(String name, Race race, String description, Mode... modes)
    {
        /**
         * The source of the test on a mode.
         *
         * @param mode one of {@link #modes}.
         * @return the class {@code mode.prefix + name}, with its header, imports, Javadoc, annotations and field.
         */
        String source(final Mode mode)
        {
            final String described = String.format(description, mode);
            final Set<String> imports = new TreeSet<>(race.imports());
            imports.addAll(List.of("Description", "JCStressMeta", "JCStressTest", "State").stream()
                .map(a -> "org.openjdk.jcstress.annotations." + a).toList());
            final StringBuilder methods = new StringBuilder();
            for (final Method method : race.methods())
            {
                imports.add("org.openjdk.jcstress.annotations." + method.annotation());
                if (method.result() != null)
                {
                    imports.add("org.openjdk.jcstress.infra.results." + method.result());
                }
                methods.append("\n").append(method.source(race.field()));
            }
            final StringBuilder importLines = new StringBuilder();
            imports.forEach(i -> importLines.append("import ").append(i).append(";\n"));
            final String seeAlso = race.outcomes().equals(race.type()) ? "" :
                "; its outcomes: {@link " + race.outcomes() + "}";
            return "// Generated at build time from the table of " + GENERATOR + ":\n" +
                "// change that, not this file.\n" +
                "package " + PACKAGE + ";\n" +
                "\n" +
                importLines +
                "\n" +
                "/**\n" +
                " * " + described + ".\n" +
                " * <p>\n" +
                " * The race: {@link " + race.type() + "}" + seeAlso + ".\n" +
                " */\n" +
                "@JCStressTest\n" +
                "@JCStressMeta(" + race.outcomes() + ".class)\n" +
                "@Description(\"" + described + "\")\n" +
                "@State\n" +
                "public class " + mode.prefix + name + "\n" +
                "{\n" +
                "    private final " + String.format(race.declaration(), mode.argument) + ";\n" +
                methods +
                "}\n";
        }
    }

    /**
     * Writes every test of {@link #TESTS} under the directory given, in its package's folder, leaving a file that
     * is already as it would be written untouched (so an unchanged table does not make the compiler run again),
     * and deletes any other test there (one whose row was removed).
     *
     * @param args the directory, a source root: {@code target/generated-sources/jcstress}.
     * @throws IOException if a file cannot be read, written or deleted.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            throw new IllegalArgumentException("usage: java GenerateJcstressTests.java <output source root>, not " +
                Arrays.toString(args));
        }
        final Path folder = Path.of(args[0]).resolve(PACKAGE.replace('.', '/'));
        Files.createDirectories(folder);
        final List<Path> written = new ArrayList<>();
        for (final Tests tests : TESTS)
        {
            for (final Mode mode : tests.modes())
            {
                final Path file = folder.resolve(mode.prefix + tests.name() + ".java");
                final String source = tests.source(mode);
                if (!Files.exists(file) || !Files.readString(file).equals(source))
                {
                    Files.writeString(file, source);
                }
                written.add(file);
            }
        }
        try (Stream<Path> files = Files.list(folder))
        {
            for (final Path stale : files.filter(f -> !written.contains(f)).toList())
            {
                Files.delete(stale);
            }
        }
    }
}
