package io.shmlink.shm.socket;

import io.shmlink.shm.liveness.AliveFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What socket tests look at from outside: the registry directory's files, and a socket read to its end.
 */
final class SocketFiles
{
    private SocketFiles()
    {
    }

    /**
     * The names of the files in a directory, sorted, but alive files: each process keeps its own until it exits,
     * and the first registry opened after that removes it.
     */
    static List<String> in(final Path directory)
    {
        try (Stream<Path> list = Files.list(directory))
        {
            return list.map(path -> path.getFileName().toString()).filter(name -> !name.startsWith(AliveFiles.PREFIX))
                .sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Every byte until the peer's end of stream. */
    static byte[] readAll(final ShmSocket socket)
    {
        try
        {
            return socket.getInputStream().readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
