/**
 * Kafka ingress ({@link io.ringside.ingest.KafkaIngress}) and sink ({@link io.ringside.ingest.KafkaSink}), dead letters,
 * a topic dump ({@link io.ringside.ingest.KafkaTopicDump}) and a broker process for tests and demos
 * ({@link io.ringside.ingest.LocalKafkaBroker}).
 */
package io.ringside.ingest;
