package io.ringside.ingest.aeron;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * An Aeron media driver in this JVM, for tests and the demo, set up for a small machine (tuning.md): one shared
 * thread for the conductor, sender and receiver ({@link ThreadingMode#SHARED}) that backs off to 100 us parks when idle
 * (IPC does not go through it; UDP does), 4 MiB IPC and UDP terms instead of 64 and 16, the directory made afresh at
 * start and deleted at close, and clients declared dead after {@code clientLivenessTimeoutMs} (so a killed process's
 * publications and subscriptions go within seconds, not the default 10). Another process reaches it through
 * {@link #directory()} (an external driver for it). Any thread.
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    public static final int TERM_LENGTH = 4 * 1024 * 1024;

    private final MediaDriver driver;
    private final Path directory;

    private EmbeddedMediaDriver(final MediaDriver driver, final Path directory)
    {
        this.driver = driver;
        this.directory = directory;
    }

    /**
     * @return a driver in a new directory under /dev/shm (or the temporary directory where there is none).
     */
    public static EmbeddedMediaDriver launch()
    {
        return launch(uniqueDirectory(), 3_000);
    }

    /**
     * @param directory               the driver's directory (made afresh: anything there is deleted).
     * @param clientLivenessTimeoutMs how long a client may go silent before the driver drops it (default 10 s in Aeron).
     */
    public static EmbeddedMediaDriver launch(final Path directory, final long clientLivenessTimeoutMs)
    {
        final long livenessNs = TimeUnit.MILLISECONDS.toNanos(clientLivenessTimeoutMs);
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 100_000))
            .ipcTermBufferLength(TERM_LENGTH)
            .publicationTermBufferLength(TERM_LENGTH)
            .clientLivenessTimeoutNs(livenessNs)
            .imageLivenessTimeoutNs(Math.max(livenessNs, TimeUnit.SECONDS.toNanos(1)))
            .publicationUnblockTimeoutNs(livenessNs * 2)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .spiesSimulateConnection(false)
            .warnIfDirectoryExists(false);
        return new EmbeddedMediaDriver(MediaDriver.launch(ctx), directory);
    }

    /**
     * @return a fresh directory name for a driver: /dev/shm/ringside-aeron-PID-RANDOM where /dev/shm exists.
     */
    public static Path uniqueDirectory()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("ringside-aeron-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    /**
     * @return a client of a driver in {@code directory} (this one's, or an external driver's), with a driver timeout
     * long enough for a loaded machine.
     */
    public static Aeron connect(final Path directory)
    {
        return Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(directory.toString())
            .driverTimeoutMs(20_000)
            .idleSleepDurationNs(TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /**
     * @return a client of this driver.
     */
    public Aeron connect()
    {
        return connect(directory);
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * Stops the driver and deletes its directory.
     */
    @Override
    public void close()
    {
        try
        {
            CloseHelper.close(driver);
        }
        finally
        {
            final File dir = directory.toFile();
            if (dir.exists())
            {
                IoUtil.delete(dir, true);
            }
        }
    }
}
