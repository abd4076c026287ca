package io.ringside.ingest;

/**
 * Checks a Kafka record before the ingress publishes it, and gives its engine key. Called on the ingress thread,
 * once per record: must not allocate.
 */
public interface RecordDecoder
{
    /**
     * @return null if the record can be published, else why not (a constant string: it goes in the dead letter's
     * {@code ringside.reason} header).
     */
    String check(byte[] key, byte[] value);

    /**
     * @return the engine key of a record that {@link #check} accepted.
     */
    long key(byte[] key, byte[] value);

    /**
     * @param length the only value length accepted.
     * @return a decoder for records keyed by an 8-byte big-endian long (the engine key) with a value of exactly
     * {@code length} bytes.
     */
    static RecordDecoder fixedLength(final int length)
    {
        final String wrongLength = "value is not " + length + " bytes";
        return new RecordDecoder()
        {
            @Override
            public String check(final byte[] key, final byte[] value)
            {
                if (key == null || key.length != 8)
                {
                    return "key is not 8 bytes";
                }
                return value == null || value.length != length ? wrongLength : null;
            }

            @Override
            public long key(final byte[] key, final byte[] value)
            {
                long k = 0;
                for (int i = 0; i < 8; i++)
                {
                    k = (k << 8) | (key[i] & 0xFF);
                }
                return k;
            }
        };
    }
}
