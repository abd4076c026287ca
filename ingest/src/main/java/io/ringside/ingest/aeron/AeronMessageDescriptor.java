package io.ringside.ingest.aeron;

import java.nio.ByteOrder;

/**
 * The frames Ringside exchanges over Aeron, all little-endian, each one Aeron message.
 * <p>
 * <b>Sender to engine</b> (the ingress stream): a header, then for {@link #DATA} the event's bytes.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Type (int32)                         |  0
 *  +---------------------------------------------------------------+
 *  |                        Sender id (int32)                      |  4
 *  +---------------------------------------------------------------+
 *  |                        Sequence (int64)                       |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Event bytes (DATA) ...                    | 16
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link #DATA}: the sender's sequence counts its events from 0, consecutive, never reused. {@link #HELLO}: no event;
 * the sequence is the next one the sender would send (-1: it does not know, it asks where to resume). {@link #END}: the
 * sender's end of input, with a sequence of its own.
 * <p>
 * <b>Engine to sender</b> (the back channel): an {@link #ACK} or a {@link #DEAD_LETTER}.
 * <pre>
 *  ACK:  0 type | 4 sender id | 8 acknowledged sequence (int64) | 16 expected sequence (int64)
 *        | 24 epoch (int64) | 32 resend request (int64)                                      (40 bytes)
 *  DEAD_LETTER: 0 type | 4 sender id | 8 sequence (int64) | 16 reason length (int32)
 *        | 20 reason (ASCII) | 20 + reason length: the refused message's bytes, header included
 * </pre>
 * The acknowledged sequence is the highest the engine's journal holds durably (-1: none); the expected one the next it
 * will take (it drops what is below, as already taken). The epoch changes with each start of the ingress; the resend
 * request counts the gaps it found in the sender's stream: when either changes the sender resends from the expected
 * sequence.
 * <p>
 * <b>Engine to decision subscriber</b> (the egress stream), {@link #OUTPUT_HEADER_LENGTH} bytes then the payload:
 * <pre>
 *  0 journal position (int64) | 8 shard (int32) | 12 ordinal (int32) | 16 type (int32) | 20 reserved (int32)
 *  | 24 key (int64) | 32 payload
 * </pre>
 * (position, shard, ordinal) is the output's id ({@link io.ringside.engine.Output}).
 */
public final class AeronMessageDescriptor
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final int DATA = 1;
    public static final int HELLO = 2;
    public static final int ACK = 3;
    public static final int DEAD_LETTER = 4;
    public static final int END = 5;

    public static final int TYPE_OFFSET = 0;
    public static final int SENDER_ID_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;

    public static final int ACKED_OFFSET = 8;
    public static final int EXPECTED_OFFSET = 16;
    public static final int EPOCH_OFFSET = 24;
    public static final int RESEND_REQUEST_OFFSET = 32;
    public static final int ACK_LENGTH = 40;

    public static final int REASON_LENGTH_OFFSET = 16;
    public static final int REASON_OFFSET = 20;

    public static final int OUTPUT_POSITION_OFFSET = 0;
    public static final int OUTPUT_SHARD_OFFSET = 8;
    public static final int OUTPUT_ORDINAL_OFFSET = 12;
    public static final int OUTPUT_TYPE_OFFSET = 16;
    public static final int OUTPUT_KEY_OFFSET = 24;
    public static final int OUTPUT_HEADER_LENGTH = 32;

    private AeronMessageDescriptor()
    {
    }
}
