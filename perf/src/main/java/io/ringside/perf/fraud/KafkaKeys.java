package io.ringside.perf.fraud;

/**
 * The workload's Kafka record key: the card id as 8 bytes, big-endian. Stateless.
 */
final class KafkaKeys
{
    private KafkaKeys()
    {
    }

    static void putLong(final byte[] key, final long value)
    {
        for (int i = 0; i < 8; i++)
        {
            key[i] = (byte)(value >>> (56 - 8 * i));
        }
    }
}
