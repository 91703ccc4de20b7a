/**
 * Sockets over shared memory: {@link io.shmlink.shm.socket.ShmServerSocket} and
 * {@link io.shmlink.shm.socket.ShmSocket} follow {@code java.net.ServerSocket} and {@code java.net.Socket}, so
 * code written against sockets switches with a few changed lines.
 * <p>
 * A server socket is an MPSC channel named after it, where clients post {@link
 * io.shmlink.shm.socket.ConnectionRequest}s. A connection is a pair of SPSC channels that the client creates
 * before it asks; once the server has attached to both, it unlinks their files, so a connection has no name left
 * in the registry directory and the kernel frees its memory when both processes let go, even if they crash.
 * Stream bytes travel as messages of at most 64 KiB; a zero-length message is the end of the stream
 * ({@code shutdownOutput}).
 */
package io.shmlink.shm.socket;
