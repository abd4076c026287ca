/**
 * Kafka and Aeron ingress and egress, dead letters. Empty until the Kafka issue.
 */
package io.ringside.ingest;
