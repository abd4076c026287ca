package io.ringside.journal;

/**
 * What {@link JournalAppender#open(JournalContext)} found and did. Immutable.
 *
 * @param endPosition     where the next record goes.
 * @param recordsVerified records whose CRC was checked on open (those of the last two segments).
 * @param tornPosition    position of the torn tail that was cut off, or -1 if the tail was clean.
 * @param tornBytes       bytes from {@code tornPosition} to the last non-zero byte that were zeroed.
 * @param tornReason      why the frame at {@code tornPosition} was not a record, or null.
 * @param segmentsDeleted segment files after the end that held no valid record and were deleted.
 * @param created         true if the journal was created by this open.
 */
public record RecoveryReport(
    long endPosition,
    long recordsVerified,
    long tornPosition,
    long tornBytes,
    String tornReason,
    int segmentsDeleted,
    boolean created)
{
    /**
     * @return true if a torn tail was cut off.
     */
    public boolean truncated()
    {
        return tornPosition >= 0;
    }

    @Override
    public String toString()
    {
        if (created)
        {
            return "journal created; first record at position " + endPosition;
        }
        final String end = "journal ends at position " + endPosition + " (" + recordsVerified + " records verified on open)";
        if (!truncated())
        {
            return end + "; clean tail";
        }
        return end + "; cut off a torn tail of " + tornBytes + " bytes at position " + tornPosition + " (" + tornReason + ")" +
            (segmentsDeleted > 0 ? " and deleted " + segmentsDeleted + " empty segment(s) after it" : "");
    }
}
