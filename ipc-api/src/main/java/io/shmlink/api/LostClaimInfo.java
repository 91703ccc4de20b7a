package io.shmlink.api;

/**
 * The last claim a channel's subscriber skipped because its publisher died or stalled past the claim timeout
 * before committing it: where it was and whose it was, so that a lost message can be traced to a process after
 * the fact. Kept in the channel, so any process can read it, the subscriber's successors included.
 *
 * @param position   where the skipped record began, in bytes since the channel was created.
 * @param length     bytes skipped: the claimed record, or the zeroed gap a publisher left when it died after
 *                   taking space and before writing a header.
 * @param session    the claiming publisher's session, from the record's header (one attach of one publisher
 *                   slot); 0 for a zeroed gap, whose claimer left no header.
 * @param pid        the claiming publisher's process, from the slot its session names; 0 if unknown: a zeroed
 *                   gap, or a publisher that had closed or whose slot another publisher had taken by then.
 * @param timeMillis when the subscriber skipped it, in epoch milliseconds.
 */
public record LostClaimInfo(long position, int length, int session, long pid, long timeMillis)
{
}
