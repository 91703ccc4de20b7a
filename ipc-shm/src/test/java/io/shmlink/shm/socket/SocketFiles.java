package io.shmlink.shm.socket;

import io.shmlink.shm.liveness.AliveFiles;
import io.shmlink.shm.liveness.ProcessToken;

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
     * The names of the files in a directory, sorted, but this process's alive file, which its registry holds for as
     * long as it is open (other processes' alive files are listed).
     */
    static List<String> in(final Path directory)
    {
        final Path own = AliveFiles.path(directory, ProcessToken.SELF).getFileName();
        try (Stream<Path> list = Files.list(directory))
        {
            return list.map(Path::getFileName).filter(name -> !name.equals(own)).map(Path::toString).sorted().toList();
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
