package io.shmlink.bench.pingpong;

import io.shmlink.api.MessageHandler;

/**
 * {@code shmlink-spmc-2} whose side subscriber (role 1) drops its {@value #DROPPED}th message without reading it, as
 * a fan-out subscriber that lost one would: in ping-pong its own sequence check must fail it, in throughput mode the
 * pinger's comparison of its acknowledgement with the echo child's. The side JVM makes it by class name.
 */
public final class SkippingSideTransport extends ShmLinkFanOutTransport
{
    /** The message the side drops, counted from 1. */
    static final long DROPPED = 500;

    /** Made by name in the side JVM. */
    public SkippingSideTransport()
    {
        super(2);
    }

    @Override
    public String name()
    {
        return "skipping-side";
    }

    @Override
    SideReader openSide(final LinkSpec link, final int role, final MessageHandler handler)
    {
        final long[] seen = new long[1];
        return super.openSide(link, role, (buffer, offset, length) ->
        {
            if (++seen[0] != DROPPED)
            {
                handler.onMessage(buffer, offset, length);
            }
        });
    }
}
