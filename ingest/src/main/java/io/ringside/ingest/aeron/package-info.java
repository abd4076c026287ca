/**
 * Aeron in and out: {@link io.ringside.ingest.aeron.AeronIngress} takes events from senders over IPC or UDP into an
 * engine and acknowledges what the journal holds; {@link io.ringside.ingest.aeron.AeronSender} is the sender a gateway
 * embeds (numbered events kept until acknowledged, resent after a crash of either side);
 * {@link io.ringside.ingest.aeron.AeronSink} publishes the decisions with their ids and
 * {@link io.ringside.ingest.aeron.AeronOutputSubscriber} reads them once each; {@link io.ringside.ingest.aeron.EmbeddedMediaDriver}
 * runs a media driver in-process for tests and the demo. The frames are in {@link io.ringside.ingest.aeron.AeronMessageDescriptor}.
 */
package io.ringside.ingest.aeron;
