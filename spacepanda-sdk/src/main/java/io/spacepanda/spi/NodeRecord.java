package io.spacepanda.spi;

import java.util.Arrays;

/**
 * A small piece of a node service's state that must survive a restart and has no table of its
 * own: an opaque value under a kind and a key. The node decides what kinds exist; the store keeps
 * them opaque (sealed at rest by SQLite) and returns them in the order they were last written.
 *
 * <p>Kinds the node uses: {@value #KIND_DEPOSITABLE} (a direct envelope a mailbox may keep: the
 * envelope id to its space id), {@value #KIND_CHANNEL_REQUEST} (a channel join request still
 * without a Welcome: the channel id to the request and the owner it went to), {@value
 * #KIND_HELD_JOIN} (a space join request a manager holds until its turn to answer: the space id
 * and joiner to the request and since when it is held), {@value #KIND_READMIT} (a space join
 * request a manager admitted, kept while a fork could still make it admit the joiner again: the
 * space id and joiner to the request, the epoch it was added at and the invite's expiry).
 *
 * @param kind 1 to 255
 * @param key the key within the kind
 * @param value the value, at most {@value #MAX_VALUE} bytes
 */
public record NodeRecord(int kind, Id key, byte[] value) {

  /** The largest value, in bytes. */
  public static final int MAX_VALUE = 64 * 1024;

  /** Kind: a direct envelope a mailbox may keep, by envelope id; the value is its space id. */
  public static final int KIND_DEPOSITABLE = 1;

  /** Kind: a channel join request still without a Welcome, by channel id. */
  public static final int KIND_CHANNEL_REQUEST = 2;

  /** Kind: a space join request a manager holds until its turn, by space id and joiner. */
  public static final int KIND_HELD_JOIN = 3;

  /**
   * Kind: a space join request a manager admitted, kept for a re-admission after a fork, by space
   * id and joiner.
   */
  public static final int KIND_READMIT = 4;

  /**
   * Checks and copies the parts.
   *
   * @param kind 1 to 255
   * @param key the key
   * @param value the value
   * @throws IllegalArgumentException if a part is null or out of range
   */
  public NodeRecord {
    if (kind < 1 || kind > 255) {
      throw new IllegalArgumentException("kind must be 1 to 255: " + kind);
    }
    Checks.notNull(key, "key");
    Checks.notNull(value, "value");
    if (value.length > MAX_VALUE) {
      throw new IllegalArgumentException("value longer than " + MAX_VALUE + " bytes");
    }
    value = value.clone();
  }

  /**
   * Returns a copy of the value.
   *
   * @return the value
   */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /**
   * Returns whether the other object is a record with equal parts.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof NodeRecord r && r.kind == kind && r.key.equals(key)
        && Arrays.equals(r.value, value);
  }

  /**
   * Returns a hash of the kind and key.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return kind * 31 + key.hashCode();
  }

  /**
   * Shows the kind, key and value length.
   *
   * @return a description
   */
  @Override
  public String toString() {
    return "NodeRecord[kind=" + kind + ", key=" + key + ", " + value.length + " bytes]";
  }
}
