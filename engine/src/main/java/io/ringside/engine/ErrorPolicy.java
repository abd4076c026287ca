package io.ringside.engine;

/**
 * What happens when a {@link ShardHandler} throws.
 */
public enum ErrorPolicy
{
    /**
     * Count the error, record it in the distinct error log, dead-letter the event with the reason, and
     * keep going. The default.
     */
    DEAD_LETTER,
    /**
     * Record the error and stop the engine: publishers are refused from then on and {@link Engine#close()}
     * throws {@link EngineFailedException} with the error as its cause.
     */
    STRICT
}
