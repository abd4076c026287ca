package io.ringside.engine.runtime;

import com.sun.jna.Native;
import net.openhft.posix.PosixAPI;

/**
 * Lowers the calling thread's scheduling priority (its nice value, Linux), so that background work such as the
 * snapshot replica takes what CPU the decision path leaves instead of sharing it evenly with it.
 */
public final class ThreadPriority
{
    private static final int PRIO_PROCESS = 0;
    private static final boolean LINKED = link();

    private ThreadPriority()
    {
    }

    private static boolean link()
    {
        try
        {
            Native.register(ThreadPriority.class, "c");
            return true;
        }
        catch (final LinkageError | RuntimeException ex)
        {
            return false;
        }
    }

    private static native int setpriority(int which, int who, int priority);

    /**
     * @param nice the new nice value of the calling thread, 0 (normal) to 19 (lowest).
     * @return null if done, else why not (not Linux, no libc, or refused).
     */
    static String lowerCurrentThread(final int nice)
    {
        if (!LINKED || !System.getProperty("os.name", "").startsWith("Linux"))
        {
            return "thread priorities are set on Linux only";
        }
        try
        {
            final int tid = PosixAPI.posix().gettid();
            return setpriority(PRIO_PROCESS, tid, nice) == 0 ? null : "setpriority(" + tid + ", " + nice + ") failed, errno " + Native.getLastError();
        }
        catch (final LinkageError | RuntimeException ex)
        {
            return "setpriority failed: " + ex;
        }
    }
}
