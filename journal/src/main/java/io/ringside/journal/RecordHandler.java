package io.ringside.journal;

/**
 * Receives records from {@link JournalReader#poll(RecordHandler, int)} on the reader's thread.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * @param record a flyweight valid only during this call.
     */
    void onRecord(JournalRecord record);
}
