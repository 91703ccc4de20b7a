package io.shmlink.api;

/**
 * How many publishers a channel admits. Every channel has at most one live subscriber.
 */
public enum ChannelMode
{
    /** One publisher, one subscriber: the cheapest ring, no atomic read-modify-write on the hot path. */
    SPSC,

    /** Many publishers (threads and processes), one subscriber: publishers claim space with a CAS on the tail. */
    MPSC
}
