/**
 * Waiting for messages without burning a core: a subscriber spins, then yields, then blocks in the kernel on a
 * {@link io.shmlink.shm.wait.Doorbell} that a publisher rings only when the subscriber has said, in the segment,
 * that it sleeps. The fast path (an awake subscriber) costs a publisher one load of a line it already holds.
 */
package io.shmlink.shm.wait;
