package io.shmlink.shm.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Unix users and groups made for one test class, and child JVMs run as those users: {@code groupadd} and
 * {@code useradd} (system accounts: no home, no login shell, no subordinate ids), {@code setpriv --reuid --regid
 * --init-groups} in front of {@link ChildJvm}, and {@code userdel} / {@code groupdel} at {@link #close()}, or at
 * JVM exit if a test run is cut short. Names are {@code shlt}, the creating JVM's pid in hex, {@code x} and random
 * hex; accounts a JVM that is gone left behind (killed before its cleanup ran) are removed when the next set is
 * made, users before their groups. Needs root.
 * <p>
 * The children must be able to read the JVM and the class path. Root's home is often 0700 and Maven's repository
 * is in it, so every class path entry another user could not reach is copied to a world-readable temporary
 * directory (removed at close), and the children run on that copy.
 */
public final class OtherUsers implements AutoCloseable
{
    /** Every test account's name starts with this, then its creating JVM's pid in hex, {@code x}, random hex. */
    private static final String PREFIX = "shlt";
    private static final Pattern LEFT_OVER = Pattern.compile(PREFIX + "([0-9a-f]{1,8})x[0-9a-f]{3}.*");

    private final String prefix = PREFIX + Long.toHexString(ProcessHandle.current().pid()) + "x" +
        String.format("%03x", ThreadLocalRandom.current().nextInt(0x1000));
    private final List<String> users = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<String> groups = new ArrayList<>();
    private final Thread cleanupAtExit = new Thread(this::removeAll, "remove test users");
    private Path classPathCopy;
    private String classPath;

    private OtherUsers()
    {
    }

    /**
     * Why users cannot be made here, if they cannot.
     *
     * @return null if they can, else the reason, for a skipped test to show.
     */
    public static String unavailableBecause()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "making users needs root (CI runs as root); this is " + System.getProperty("user.name");
        }
        for (final String tool : List.of("/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/bin/setpriv"))
        {
            if (!Files.isExecutable(Path.of(tool)))
            {
                return tool + " is missing";
            }
        }
        return null;
    }

    /**
     * Starts a set of users; make them with {@link #group} and {@link #user}.
     *
     * @return the set, to close.
     */
    public static OtherUsers create()
    {
        removeLeftOvers();
        final OtherUsers created = new OtherUsers();
        Runtime.getRuntime().addShutdownHook(created.cleanupAtExit);
        return created;
    }

    /**
     * Makes a group.
     *
     * @param label a letter or two that end its name.
     * @return its name.
     * @throws IOException if {@code groupadd} fails.
     */
    public String group(final String label) throws IOException
    {
        final String name = prefix + label;
        run("groupadd", "--system", name);
        groups.add(name);
        return name;
    }

    /**
     * Makes a user.
     *
     * @param label         a letter or two that end its name.
     * @param primaryGroup  its primary group.
     * @param supplementary its other groups.
     * @return its name.
     * @throws IOException if {@code useradd} fails.
     */
    public String user(final String label, final String primaryGroup, final String... supplementary)
        throws IOException
    {
        final String name = prefix + label;
        final List<String> command = new ArrayList<>(List.of("useradd", "--system", "--no-create-home",
            "--no-user-group", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--gid", primaryGroup));
        if (supplementary.length > 0)
        {
            command.addAll(List.of("--groups", String.join(",", supplementary)));
        }
        command.add(name);
        run(command.toArray(String[]::new));
        users.add(name);
        return name;
    }

    /**
     * Starts {@code main} in a new JVM run as a user, with its groups from {@code /etc/group}.
     *
     * @param user         the user.
     * @param primaryGroup the group it runs with.
     * @param main         the class whose main runs.
     * @param args         its arguments.
     * @return the child; its pid is the JVM's ({@code setpriv} execs it).
     * @throws IOException if it cannot start.
     */
    public ChildJvm start(final String user, final String primaryGroup, final Class<?> main, final String... args)
        throws IOException
    {
        final ChildJvm child = ChildJvm.startUnder(
            List.of("setpriv", "--reuid=" + user, "--regid=" + primaryGroup, "--init-groups"),
            List.of("-XX:-UsePerfData"), readableClassPath(), main, args);
        synchronized (this)
        {
            children.add(child);
        }
        return child;
    }

    /**
     * Removes the test accounts of JVMs that are gone: a run killed before its cleanup (a surefire timeout's
     * SIGKILL) leaves them. Those of a live JVM, another test run's, are left alone.
     */
    static void removeLeftOvers()
    {
        final List<String> failures = new ArrayList<>();
        for (final String file : List.of("/etc/passwd", "/etc/group"))
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(Path.of(file));
            }
            catch (final IOException ex)
            {
                failures.add("cannot read " + file + ": " + ex);
                continue;
            }
            for (final String line : lines)
            {
                final String name = line.split(":", 2)[0];
                final Matcher matcher = LEFT_OVER.matcher(name);
                if (matcher.matches() &&
                    !ProcessHandle.of(Long.parseLong(matcher.group(1), 16)).map(ProcessHandle::isAlive).orElse(false))
                {
                    failures.addAll(file.equals("/etc/passwd") ? removeUser(name) : runQuietly("groupdel", name));
                }
            }
        }
        if (!failures.isEmpty())
        {
            System.err.println("OtherUsers: left-over test accounts not removed: " + failures);
        }
    }

    /** This JVM's class path, with every entry another user cannot reach replaced by a readable copy. */
    private synchronized String readableClassPath() throws IOException
    {
        if (classPath == null)
        {
            final List<String> entries = new ArrayList<>();
            for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            {
                final Path path = Path.of(entry).toAbsolutePath();
                if (!Files.exists(path) || reachableByOthers(path))
                {
                    entries.add(entry);
                    continue;
                }
                if (classPathCopy == null)
                {
                    classPathCopy = Files.createTempDirectory("shmlink-classpath-");
                    Files.setPosixFilePermissions(classPathCopy, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                final Path copy = classPathCopy.resolve(entries.size() + "-" + path.getFileName());
                copyReadable(path, copy);
                entries.add(copy.toString());
            }
            classPath = String.join(File.pathSeparator, entries);
        }
        return classPath;
    }

    /** Whether every directory above a path lets others through, and the path lets them read it. */
    private static boolean reachableByOthers(final Path path) throws IOException
    {
        for (Path parent = path.getParent(); parent != null; parent = parent.getParent())
        {
            if (!Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE))
            {
                return false;
            }
        }
        final Set<PosixFilePermission> own = Files.getPosixFilePermissions(path);
        return own.contains(PosixFilePermission.OTHERS_READ) &&
            (!Files.isDirectory(path) || own.contains(PosixFilePermission.OTHERS_EXECUTE));
    }

    private static void copyReadable(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> tree = Files.walk(from))
        {
            for (final Path source : tree.toList())
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS))
                {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                else
                {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    /** Removes the users, the groups and the class path copy, even after a failed test. */
    @Override
    public void close()
    {
        removeAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
        }
        catch (final IllegalStateException exiting)
        {
            // the hook is running or has run
        }
    }

    private synchronized void removeAll()
    {
        final List<String> failures = new ArrayList<>();
        // a child still running keeps its user "currently used": kill and reap them first, through interrupts
        for (final ChildJvm child : children)
        {
            child.close();
            if (child.isAlive())
            {
                failures.add("child " + child.pid() + " still running 30 s after SIGKILL");
            }
        }
        children.clear();
        for (final String user : users)
        {
            failures.addAll(removeUser(user));
        }
        users.clear();
        for (final String group : groups)
        {
            failures.addAll(runQuietly("groupdel", group));
        }
        groups.clear();
        if (classPathCopy != null)
        {
            try
            {
                ShmTestDirectory.delete(classPathCopy);
            }
            catch (final IOException ex)
            {
                failures.add("cannot delete " + classPathCopy + ": " + ex);
            }
            classPathCopy = null;
        }
        if (!failures.isEmpty())
        {
            System.err.println("OtherUsers cleanup: " + failures);
        }
    }

    /** {@code userdel}, and {@code userdel -f} if a process of the user is somehow still there. */
    private static List<String> removeUser(final String user)
    {
        final List<String> failed = runQuietly("userdel", user);
        return failed.isEmpty() ? failed : runQuietly("userdel", "-f", user);
    }

    private static List<String> runQuietly(final String... command)
    {
        try
        {
            run(command);
            return List.of();
        }
        catch (final IOException ex)
        {
            return List.of(ex.getMessage());
        }
    }

    private static void run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        // through interrupts: cleanup after a JUnit timeout runs on the interrupted test thread
        if (!ChildJvm.awaitExitUninterruptibly(process, TimeUnit.SECONDS.toNanos(60)))
        {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 60 s");
        }
        if (process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        }
    }
}
