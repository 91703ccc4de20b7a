package io.shmlink.jcstress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The jar's entry point: jcstress's own {@code Main}, with the one JVM flag ShmLink needs (Agrona reaches
 * {@code jdk.internal.misc.Unsafe}) and a direct-memory limit prepended to every forked test JVM. The jar's manifest opens the package for
 * this JVM, but jcstress starts its forks with {@code -cp}, where a manifest's {@code Add-Opens} does not apply.
 * Every argument is jcstress's: {@code java -jar ipc-jcstress/target/jcstress.jar -m quick}, {@code -t Spsc},
 * {@code -h}.
 */
public final class RunJcstress
{
    /**
     * The flag ShmLink needs, and room for the direct memory of the in-memory segments every trial allocates
     * (by default a fork may hold no more than its 256 MB heap, and each allocation past that stalls on a full GC).
     */
    static final String FORK_FLAGS = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:MaxDirectMemorySize=2g";

    private RunJcstress()
    {
    }

    /**
     * Runs jcstress with ShmLink's fork flags prepended, unless the arguments set the forks' JVM flags themselves.
     *
     * @param args jcstress's arguments.
     * @throws Exception whatever jcstress's {@code Main} throws.
     */
    public static void main(final String[] args) throws Exception
    {
        final List<String> all = new ArrayList<>(Arrays.asList(args));
        if (!all.contains("-jvmArgs") && !all.contains("-jvmArgsPrepend"))
        {
            all.add("-jvmArgsPrepend");
            all.add(FORK_FLAGS);
        }
        org.openjdk.jcstress.Main.main(all.toArray(new String[0]));
    }
}
