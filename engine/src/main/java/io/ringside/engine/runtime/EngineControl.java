package io.ringside.engine.runtime;

import io.ringside.engine.Engine;

/**
 * What the engine's threads need of the engine: to report a failure that stops it, and to know when to stop.
 */
public interface EngineControl
{
    /**
     * Records the first failure and stops the engine. Thread-safe; later failures are recorded but do not replace the first.
     */
    void fail(Throwable failure);

    /**
     * @return true once the engine failed or its threads are being stopped.
     */
    boolean isHalted();

    /**
     * @return true once {@link Engine#close()} began: no more events come, and what the journal holds should be made durable now.
     */
    boolean isClosing();
}
