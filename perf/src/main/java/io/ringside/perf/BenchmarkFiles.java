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
 * The JMH setup shared by the benchmarks: a scratch directory under {@code java.io.tmpdir}, and the
 * {@code @TearDown} that closes what a trial opened in it and removes it again whatever fails
 * ({@link #closeAndDelete}); and zero-filling a file the way the journal preallocates a segment.
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
     * A benchmark's {@code @TearDown}: closes what the trial opened, in order (nulls skipped), then deletes its scratch
     * directory, also when a close fails (the first failure is rethrown once the directory is gone, later ones added to it).
     *
     * @param directory the scratch directory; null if none was made.
     * @param resources what to close first.
     */
    static void closeAndDelete(final Path directory, final AutoCloseable... resources)
    {
        Throwable failure = null;
        for (final AutoCloseable resource : resources)
        {
            try
            {
                if (resource != null)
                {
                    resource.close();
                }
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        deleteRecursively(directory);
        if (failure != null)
        {
            throw failure instanceof RuntimeException ? (RuntimeException)failure :
                new IllegalStateException("a benchmark's resource failed to close: " + failure, failure);
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
