package io.spacepanda.internal.net.kad;

import java.util.List;

/**
 * Validates the records of one key namespace (kad-dht spec, "Value storage and retrieval": keys
 * look like {@code /namespace/...}; a record is stored and returned only when its namespace's
 * validator accepts it, and the validator chooses the best of several values).
 */
public interface RecordValidator {

  /**
   * Checks a record.
   *
   * @param key the full key, starting with {@code /namespace/}
   * @param value the value
   * @param nowMillis the current time, for records that carry their own expiry
   * @throws KadException when the record is invalid
   */
  void validate(byte[] key, byte[] value, long nowMillis) throws KadException;

  /**
   * Chooses the best of several valid values of one key.
   *
   * @param key the key
   * @param values at least one valid value
   * @return the index of the best
   */
  int select(byte[] key, List<byte[]> values);

  /**
   * Returns when a valid record expires by its own content, if it says.
   *
   * @param value a valid value
   * @return expiry in epoch milliseconds, or {@link Long#MAX_VALUE} when the store's TTL applies
   */
  default long expiresAtMillis(byte[] value) {
    return Long.MAX_VALUE;
  }
}
