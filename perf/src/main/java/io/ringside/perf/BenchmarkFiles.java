package io.ringside.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * File helpers shared by the benchmarks: a scratch directory under {@code java.io.tmpdir}, removed
 * again in each benchmark's {@code @TearDown}, and zero-filling a file the way the journal
 * preallocates a segment.
 */
final class BenchmarkFiles
{
    /** The chunk the journal zero-fills a new segment with (JournalAppender.ZERO_CHUNK). */
    static final int ZERO_CHUNK = 1024 * 1024;

    private BenchmarkFiles()
    {
    }

    /**
     * @param prefix the start of the directory's name.
     * @return a new, empty directory under {@code java.io.tmpdir}.
     */
    static Path createScratchDirectory(final String prefix)
    {
        try
        {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a scratch directory under " + System.getProperty("java.io.tmpdir"), ex);
        }
    }

    /**
     * Deletes a directory and everything in it; does nothing if it is null or gone.
     *
     * @param directory the directory.
     */
    static void deleteRecursively(final Path directory)
    {
        if (directory == null || !Files.exists(directory))
        {
            return;
        }
        try
        {
            Files.walkFileTree(directory, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException ex) throws IOException
                {
                    if (ex != null)
                    {
                        throw ex;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete benchmark directory " + directory, ex);
        }
    }

    /**
     * Writes zeros through {@code [0, length)} of a file with positional writes of {@code zeros}, as
     * the journal does for a preallocated segment, so that every block exists before it is mapped.
     *
     * @param channel a channel open for writing.
     * @param length  bytes to fill.
     * @param zeros   a direct buffer of zeros, at most {@link #ZERO_CHUNK} bytes used per write.
     * @throws IOException if a write fails.
     */
    static void zeroFill(final FileChannel channel, final long length, final ByteBuffer zeros) throws IOException
    {
        for (long written = 0; written < length; )
        {
            zeros.clear().limit((int)Math.min(Math.min(ZERO_CHUNK, zeros.capacity()), length - written));
            written += channel.write(zeros, written);
        }
    }
}
