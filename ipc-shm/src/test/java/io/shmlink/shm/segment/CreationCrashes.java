package io.shmlink.shm.segment;

/**
 * Test kit: halts this JVM at a step of a channel creation, as a {@code kill -9} would stop it there. Lives in the
 * segment package to reach {@code ChannelSegment}'s package-private seam.
 */
public final class CreationCrashes
{
    /** The system property a child JVM reads to know where to halt (see {@code CreateMain}). */
    public static final String STEP_PROPERTY = "shmlink.test.crashAtCreationStep";

    private CreationCrashes()
    {
    }

    /**
     * Halts this JVM with status 137 once a creation reaches {@code step}.
     *
     * @param step {@code temp-created}, {@code sized}, {@code header-written}, {@code ready} or {@code linked}.
     */
    public static void haltAt(final String step)
    {
        ChannelSegment.creationSteps = reached ->
        {
            if (reached.equals(step))
            {
                Runtime.getRuntime().halt(137);
            }
        };
    }
}
