package io.shmlink.shm.wait;

/**
 * What a blocking poll does next, by how long it has found the ring empty ({@link SpinBudget#phase(long)}).
 */
public enum WaitPhase
{
    /** Spin on the ring: the lowest latency, a whole core. */
    SPIN,

    /** Yield the core between looks: other threads run, the wake-up costs a scheduler turn. */
    YIELD,

    /** Announce the sleep and block on the doorbell until a publisher rings it or the sleep ends. */
    SLEEP
}
