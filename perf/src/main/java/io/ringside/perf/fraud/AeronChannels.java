package io.ringside.perf.fraud;

import io.ringside.ingest.aeron.AeronIngressContext;

/**
 * The three Aeron channels of the demo over Aeron: events in, acknowledgements back, decisions out. Over IPC all three
 * are {@code aeron:ipc} (streams 1001, 1002, 1003); over UDP each stream has its own port on 127.0.0.1.
 *
 * @param events    the senders' channel (stream {@link AeronIngressContext#DEFAULT_STREAM_ID}).
 * @param acks      the back channel (stream {@link AeronIngressContext#DEFAULT_ACK_STREAM_ID}).
 * @param decisions the decisions' channel (stream {@link #DECISION_STREAM_ID}).
 */
public record AeronChannels(String mode, String events, String acks, String decisions)
{
    public static final int DECISION_STREAM_ID = 1003;

    /**
     * @param mode ipc or udp.
     * @throws IllegalArgumentException for anything else.
     */
    public static AeronChannels of(final String mode)
    {
        return switch (mode)
        {
            case "ipc" -> new AeronChannels(mode, AeronIngressContext.IPC, AeronIngressContext.IPC, AeronIngressContext.IPC);
            case "udp" -> new AeronChannels(mode, "aeron:udp?endpoint=127.0.0.1:40501", "aeron:udp?endpoint=127.0.0.1:40502",
                "aeron:udp?endpoint=127.0.0.1:40503");
            default -> throw new IllegalArgumentException("--aeron takes ipc or udp, not '" + mode + "'");
        };
    }
}
