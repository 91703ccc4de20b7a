package io.shmlink.shm;

import io.shmlink.api.ChannelConfig;
import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.ProcessToken;
import io.shmlink.shm.testing.ChildJvm;
import io.shmlink.shm.testing.GroupMemberMain;
import io.shmlink.shm.testing.OtherUsers;
import io.shmlink.shm.testing.SegmentEditor;
import io.shmlink.shm.testing.ShmTestDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shmlink.shm.segment.SegmentDescriptor.CREATOR_PID_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SLOT_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.SUBSCRIBER_TOKEN_OFFSET;
import static io.shmlink.shm.segment.SegmentDescriptor.publisherSlotOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Channels shared between the processes of different users through a group ({@code Options.shareWithGroup}),
 * with users and groups made for the test and child JVMs run as them by {@code setpriv} (so it needs root, as CI
 * has; elsewhere it is skipped). Alice's primary group is the team's; Bob is in the team by a supplementary
 * group; Carol is not in it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrossUserTest
{
    private static final int MESSAGES = 100_000;
    private static final long SEED = 24;
    private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

    private static OtherUsers users;
    private static String team;
    private static String other;
    private static String alice;
    private static String bob;
    private static String carol;

    private final List<Path> directories = new ArrayList<>();
    private Path dir;

    @BeforeAll
    static void makeUsers() throws IOException
    {
        final String unavailable = OtherUsers.unavailableBecause();
        assumeTrue(unavailable == null, unavailable);
        users = OtherUsers.create();
        team = users.group("t");
        other = users.group("o");
        alice = users.user("a", team);
        bob = users.user("b", other, team);
        carol = users.user("c", other);
    }

    @AfterAll
    static void removeUsers()
    {
        if (users != null)
        {
            users.close();
        }
    }

    @BeforeEach
    void setUp()
    {
        dir = directory("team");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        for (final Path directory : directories)
        {
            if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
            {
                ShmTestDirectory.delete(directory);
            }
        }
    }

    /**
     * Kills {@code victim} and asserts that {@code witness} reports {@code report} within one second of it.
     *
     * @param who says who noticed whose death, for the failure message.
     */
    private static void assertKillNoticedWithinOneSecond(
        final ChildJvm victim, final ChildJvm witness, final String report, final String who) throws Exception
    {
        final long killed = System.nanoTime();
        victim.kill();
        assertEquals(report, witness.readLine());
        final long noticed = System.nanoTime() - killed;
        assertTrue(noticed < ONE_SECOND, who + " death after " + noticed / 1_000_000 + " ms");
    }

    @Test
    void twoUsersShareAChannelSeeEachOthersDeathWithinOneSecondAndCleanUpAfterEachOther() throws Exception
    {
        try (ChildJvm publisher = users.start(alice, team, GroupMemberMain.class,
            "publish", dir.toString(), team, "orders", Integer.toString(MESSAGES), Long.toString(SEED)))
        {
            assertEquals("ATTACHED", publisher.readLine());
            final PosixFileAttributes directory = Files.readAttributes(dir, PosixFileAttributes.class);
            assertEquals(alice, directory.owner().getName());
            assertEquals(team, directory.group().getName());
            assertEquals("rwxrwx---", PosixFilePermissions.toString(directory.permissions()));

            final Set<String> bobs;
            final String bell;
            try (ChildJvm subscriber = users.start(bob, other, GroupMemberMain.class,
                "subscribe", dir.toString(), team, "orders", Integer.toString(MESSAGES), Long.toString(SEED)))
            {
                assertEquals("ATTACHED", subscriber.readLine(), "Bob opens the directory Alice owns");
                bell = awaitDoorbellOf(bob);
                publisher.sendLine("go");
                assertEquals("OK " + MESSAGES, subscriber.readLine(), "every message, in order, intact");
                assertEquals("DONE", publisher.readLine());
                assertEquals("BELL " + bell + " OK", publisher.readLine(), "Alice may ring Bob's doorbell");
                assertEquals("PROBED", publisher.readLine());
                assertEveryFileIs0660OfTheTeam();
                bobs = namesOwnedBy(bob);
                assertEquals(2, bobs.size(), "his alive file and his doorbell: " + bobs);
                assertTrue(bobs.contains(bell), bobs.toString());

                assertKillNoticedWithinOneSecond(subscriber, publisher, "SUBSCRIBER-DEAD", "Alice noticed Bob's");
            }
            publisher.sendLine("clean");
            assertRemoved(publisher.readLine(), bobs, bell);
            assertEquals(Set.of(), namesOwnedBy(bob), "Alice removed what dead Bob left");

            try (ChildJvm successor = users.start(bob, other, GroupMemberMain.class,
                "subscribe", dir.toString(), team, "orders", "0", Long.toString(SEED)))
            {
                assertEquals("ATTACHED", successor.readLine());
                assertEquals("OK 0", successor.readLine());
                final Set<String> alices = namesOwnedBy(alice);
                assertEquals(Set.of("orders", AliveFiles.PREFIX), alicesKinds(alices), alices.toString());

                assertKillNoticedWithinOneSecond(publisher, successor, "PUBLISHER-DEAD", "Bob noticed Alice's");

                successor.sendLine("clean");
                assertRemoved(successor.readLine(), alices, "orders");
                assertEquals(Set.of(), namesOwnedBy(alice), "Bob removed the channel and alive file dead Alice left");
            }
        }
    }

    @Test
    void outsidersAndUnsafeDirectoriesAreRefusedWithTheirOwnerGroupAndMode() throws Exception
    {
        try (ChildJvm creator = users.start(alice, team, GroupMemberMain.class, "open", team, dir.toString()))
        {
            assertEquals("OPENED " + dir, creator.readLine());
            assertEquals(0, creator.waitFor(60));
        }
        final Path open = directoryOf(alice, team, "rwxrwxr-x");
        final Path foreign = directoryOf(alice, other, "rwxrwx---");
        final Path writable = directoryOf(alice, team, "rwxrwxrwx");

        try (ChildJvm outsider = users.start(carol, other, GroupMemberMain.class, "open", team, dir.toString()))
        {
            assertEquals("REFUSED " + dir + " refusing registry directory " + dir + ": it is owned by " + alice +
                ", and this process (user " + carol + ") is not in its group " + team + " (add " + carol + " to " +
                team + " and log in again, or run it with that group) (owner " + alice + ", group " + team +
                ", mode 0770 (rwxrwx---))", outsider.readLine());
            assertEquals(0, outsider.waitFor(60));
        }
        try (ChildJvm member = users.start(bob, other, GroupMemberMain.class,
            "open", team, open.toString(), foreign.toString(), writable.toString(), dir.toString()))
        {
            final String refusedOpen = member.readLine();
            assertTrue(refusedOpen.startsWith("REFUSED " + open + " refusing registry directory " + open +
                ": it is accessible by others"), refusedOpen);
            assertTrue(refusedOpen.endsWith("(owner " + alice + ", group " + team + ", mode 0775 (rwxrwxr-x))"),
                refusedOpen);
            final String refusedForeign = member.readLine();
            assertTrue(refusedForeign.startsWith("REFUSED " + foreign + " refusing registry directory " + foreign +
                ": it belongs to group " + other + ", not to group " + team), refusedForeign);
            assertTrue(refusedForeign.endsWith("(owner " + alice + ", group " + other + ", mode 0770 (rwxrwx---))"),
                refusedForeign);
            final String refusedWritable = member.readLine();
            assertTrue(refusedWritable.startsWith("REFUSED " + writable + " refusing registry directory " +
                writable + ": it is writable by others (owner " + alice + ", group " + team + ", mode 0777"),
                refusedWritable);
            assertEquals("OPENED " + dir, member.readLine(), "a member opens Alice's directory");
            assertEquals(0, member.waitFor(60));
        }
    }

    @Test
    void withTheStickyBitAMemberRemovesOnlyTheDeadFilesItOwnsAndCannotDeleteOthersChannels() throws Exception
    {
        final Path sticky = directoryOf(alice, team, "rwxrwx---");
        Files.setAttribute(sticky, "unix:mode", 01770);
        final Process finished = new ProcessBuilder("true").start();
        assertEquals(0, finished.waitFor());
        final long deadToken = ProcessToken.of(finished.toHandle());
        // Alice's: the alive file of a dead process, and the debris of a creation it was killed in
        final Path aliveFile = fileOf(alice, sticky.resolve(AliveFiles.PREFIX + Long.toHexString(deadToken)));
        final Path debris = fileOf(alice, sticky.resolve(".x." + finished.pid() + ".1.creating"));
        // Bob's: a channel whose creator and only party are that dead process, long idle
        final Path channel = fileOf(bob, deadChannel(sticky, "abandoned", finished.pid(), deadToken));
        // Alice's: a channel made ahead of its users by a live creator, this JVM
        final Path alices = fileOf(alice, channel(sticky, "alices"));

        try (ChildJvm member = users.start(bob, other, GroupMemberMain.class, "delete", sticky.toString(), team,
            "alices"))
        {
            final String refused = member.readLine();
            assertTrue(refused.startsWith("REFUSED cannot delete channel 'alices' (" + alices + "): its directory " +
                "has the sticky bit, so only the file's owner (uid "), refused);
            assertEquals(0, member.waitFor(60));
        }
        assertTrue(Files.exists(alices));
        final ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(alices)).order(ByteOrder.nativeOrder());
        assertEquals(ProcessToken.NONE, header.getLong(SUBSCRIBER_TOKEN_OFFSET), "not marked deleted either");

        try (ChildJvm member = users.start(bob, other, GroupMemberMain.class, "clean", sticky.toString(), team))
        {
            assertEquals("REMOVED " + channel.getFileName(), member.readLine(),
                "Bob removes his own dead channel (its party is dead, though Alice's alive file cannot be removed " +
                    "by him) and leaves Alice's files to her");
            assertEquals(0, member.waitFor(60));
        }
        try (ChildJvm owner = users.start(alice, team, GroupMemberMain.class, "clean", sticky.toString(), team))
        {
            final List<String> expected = new ArrayList<>(List.of(aliveFile.getFileName().toString(),
                debris.getFileName().toString()));
            expected.sort(null);
            assertEquals("REMOVED " + String.join(",", expected), owner.readLine(),
                "the directory's owner may remove anybody's");
            assertEquals(0, owner.waitFor(60));
        }
        assertEquals(Set.of("alices"), namesIn(sticky), "a live creator's channel stays");
    }

    /** A channel whose creator and only publisher are a dead process. */
    private Path deadChannel(final Path into, final String name, final long deadPid, final long deadToken)
        throws IOException
    {
        final Path file = channel(into, name);
        SegmentEditor.edit(file, header ->
        {
            header.putLong(CREATOR_PID_OFFSET, deadPid);
            header.putLongVolatile(publisherSlotOffset(0) + SLOT_TOKEN_OFFSET, deadToken);
        });
        return file;
    }

    /** A channel made by this process in a directory of its own, then moved into {@code into}. */
    private Path channel(final Path into, final String name) throws IOException
    {
        final Path scratch = ShmTestDirectory.create("shmlink-cross-user-scratch-");
        directories.add(scratch);
        final Path file;
        try (ShmRegistry registry = ShmRegistry.open(scratch))
        {
            file = registry.create(name, ChannelConfig.spsc(4096)).file();
        }
        return Files.move(file, into.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private Path directory(final String name)
    {
        final Path path = Path.of("/dev/shm", "shmlink-cross-user-" + name + "-" + UUID.randomUUID());
        directories.add(path);
        return path;
    }

    private Path directoryOf(final String owner, final String group, final String mode) throws IOException
    {
        final Path path = Files.createDirectory(directory("made"));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
        return giveTo(path, owner, group);
    }

    private Path fileOf(final String owner, final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            Files.createFile(path);
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        return giveTo(path, owner, team);
    }

    private static Path giveTo(final Path path, final String owner, final String group) throws IOException
    {
        final UserPrincipalLookupService names = path.getFileSystem().getUserPrincipalLookupService();
        final PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(names.lookupPrincipalByName(owner));
        view.setGroup(names.lookupPrincipalByGroupName(group));
        return path;
    }

    /** Waits, with a deadline, for the doorbell socket a user's subscriber binds when it first sleeps. */
    private String awaitDoorbellOf(final String user) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            for (final String name : namesOwnedBy(user))
            {
                if (name.startsWith(".bell.") && !name.endsWith(".bind"))
                {
                    return name;
                }
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("no doorbell of " + user + " in " + dir + " within 60 s: " + namesIn(dir));
            }
            Thread.onSpinWait();
        }
    }

    private void assertEveryFileIs0660OfTheTeam() throws IOException
    {
        final Set<String> owners = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                final PosixFileAttributes attributes =
                    Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                assertEquals("rw-rw----", PosixFilePermissions.toString(attributes.permissions()), file.toString());
                assertEquals(team, attributes.group().getName(), file.toString());
                owners.add(attributes.owner().getName());
            }
        }
        assertEquals(new TreeSet<>(List.of(alice, bob)), owners, "files of both users");
    }

    /**
     * Checks a {@code REMOVED} line of a cleanup: it names {@code certainly}, and nothing but the dead user's files.
     * Their alive file may be gone before: whoever finds a process dead by its alive file removes it on the way.
     */
    private static void assertRemoved(final String line, final Set<String> deadUsersFiles, final String certainly)
    {
        assertTrue(line.startsWith("REMOVED "), line);
        final List<String> removed = List.of(line.substring("REMOVED ".length()).split(","));
        assertTrue(removed.contains(certainly), line);
        assertTrue(deadUsersFiles.containsAll(removed), line + " removes only " + deadUsersFiles);
    }

    private static Set<String> alicesKinds(final Set<String> names)
    {
        final Set<String> kinds = new TreeSet<>();
        for (final String name : names)
        {
            kinds.add(name.startsWith(AliveFiles.PREFIX) ? AliveFiles.PREFIX : name);
        }
        return kinds;
    }

    private Set<String> namesOwnedBy(final String user) throws IOException
    {
        final Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                try
                {
                    if (Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName().equals(user))
                    {
                        names.add(file.getFileName().toString());
                    }
                }
                catch (final NoSuchFileException goneSinceListed)
                {
                    // a doorbell's temporary bind file (.bell.*.bind) lives for the instant of its bind
                }
            }
        }
        return names;
    }

    private static Set<String> namesIn(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return new TreeSet<>(files.map(path -> path.getFileName().toString()).toList());
        }
    }
}
