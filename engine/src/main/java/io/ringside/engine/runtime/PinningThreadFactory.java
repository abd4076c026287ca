package io.ringside.engine.runtime;

import io.ringside.engine.state.PrefetchingThread;
import java.util.concurrent.ThreadFactory;

import net.openhft.affinity.Affinity;

/**
 * Makes a named thread that, if a CPU is given, pins itself to that CPU (hard: its allowed-CPU mask
 * becomes that one CPU, through {@link Affinity#setAffinity(int)}) before it runs anything.
 */
public final class PinningThreadFactory implements ThreadFactory
{
    private final String name;
    private final int cpu;

    public PinningThreadFactory(final String name, final int cpu)
    {
        this.name = name;
        this.cpu = cpu;
    }

    @Override
    public Thread newThread(final Runnable task)
    {
        final int pin = cpu;
        final Thread thread = new PrefetchingThread(() ->
        {
            if (pin >= 0)
            {
                Affinity.setAffinity(pin);
            }
            task.run();
        }, name);
        thread.setDaemon(false);
        return thread;
    }
}
