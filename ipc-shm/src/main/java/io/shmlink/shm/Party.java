package io.shmlink.shm;

import io.shmlink.shm.liveness.LivenessMonitor;

/**
 * A publisher or subscriber as its registry sees it: something to keep alive and to close with the registry.
 */
interface Party extends LivenessMonitor.Watched
{
    /**
     * Detaches from the channel; never throws.
     */
    void close();
}
