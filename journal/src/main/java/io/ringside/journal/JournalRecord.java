package io.ringside.journal;

import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringside.journal.RecordDescriptor.FLAGS_OFFSET;
import static io.ringside.journal.RecordDescriptor.HEADER_LENGTH;
import static io.ringside.journal.RecordDescriptor.PARTITION_OFFSET;
import static io.ringside.journal.RecordDescriptor.SOURCE_ID_OFFSET;
import static io.ringside.journal.RecordDescriptor.SOURCE_OFFSET_OFFSET;
import static io.ringside.journal.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.ringside.journal.RecordDescriptor.TYPE_OFFSET;

/**
 * A flyweight over one record in a mapped segment: reading it copies nothing. It is valid only until the
 * reader that handed it out moves on (the next {@link JournalReader#next()} or the end of the
 * {@link RecordHandler} callback); copy what must outlive that. Same thread as its reader.
 */
public final class JournalRecord
{
    private UnsafeBuffer buffer;
    private int offset;
    private int frameLength;
    private long position;
    private Path segment;

    void wrap(final Segment segment, final int offset, final int frameLength)
    {
        this.buffer = segment.buffer;
        this.offset = offset;
        this.frameLength = frameLength;
        this.position = segment.basePosition + offset;
        this.segment = segment.file;
    }

    /**
     * @return the record's journal position.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the position just past this record (where the next one starts, or the padding/end of its segment).
     */
    public long endPosition()
    {
        return position + RecordDescriptor.alignedLength(frameLength);
    }

    public int frameLength()
    {
        return frameLength;
    }

    public int type()
    {
        return buffer.getShort(offset + TYPE_OFFSET);
    }

    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET) & 0xFFFF;
    }

    public int sourceId()
    {
        return buffer.getInt(offset + SOURCE_ID_OFFSET);
    }

    public int partition()
    {
        return buffer.getInt(offset + PARTITION_OFFSET);
    }

    public long sourceOffset()
    {
        return buffer.getLong(offset + SOURCE_OFFSET_OFFSET);
    }

    public long timestamp()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET);
    }

    /**
     * @return the record's 32-bit user field ({@link JournalAppender#userField}), 0 unless its writer set it.
     */
    public int userField()
    {
        return buffer.getInt(offset + RecordDescriptor.RESERVED_OFFSET);
    }

    public int payloadLength()
    {
        return frameLength - HEADER_LENGTH;
    }

    /**
     * @return the buffer that holds the payload (the mapped segment: read-only).
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the payload starts in {@link #buffer()}.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * @return the segment file that holds the record.
     */
    public Path segment()
    {
        return segment;
    }

    @Override
    public String toString()
    {
        return "JournalRecord{position=" + position + ", type=" + type() + ", flags=0x" + Integer.toHexString(flags()) +
            ", source=" + sourceId() + ", partition=" + partition() + ", offset=" + sourceOffset() +
            ", timestamp=" + timestamp() + ", payloadLength=" + payloadLength() + '}';
    }
}
