package io.spacepanda.internal.net.kad;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A point in the Kademlia key space: the SHA-256 of a key's bytes (kad-dht spec, "Distance": the
 * XOR of the SHA-256 digests of two keys, a peer's key being its peer id multihash bytes).
 * Immutable.
 */
public final class KadId implements Comparable<KadId> {

  /** Bits in an id. */
  public static final int BITS = 256;

  private final byte[] bytes;

  private KadId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Returns the id of a key.
   *
   * @param key raw key bytes (a peer id multihash, a record key)
   * @return SHA-256 of the key
   */
  public static KadId of(byte[] key) {
    try {
      return new KadId(MessageDigest.getInstance("SHA-256").digest(key));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /**
   * Returns the number of leading bits this id shares with {@code other}.
   *
   * @param other another id
   * @return 0..256
   */
  public int commonPrefixLength(KadId other) {
    for (int i = 0; i < bytes.length; i++) {
      int x = (bytes[i] ^ other.bytes[i]) & 0xFF;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return BITS;
  }

  /**
   * Compares the XOR distances of {@code a} and {@code b} to this id.
   *
   * @param a one id
   * @param b another id
   * @return negative when {@code a} is closer, positive when {@code b} is, 0 when equal
   */
  public int compareDistance(KadId a, KadId b) {
    for (int i = 0; i < bytes.length; i++) {
      int da = (a.bytes[i] ^ bytes[i]) & 0xFF;
      int db = (b.bytes[i] ^ bytes[i]) & 0xFF;
      if (da != db) {
        return Integer.compare(da, db);
      }
    }
    return 0;
  }

  @Override
  public int compareTo(KadId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadId k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "KadId[" + java.util.HexFormat.of().formatHex(bytes, 0, 4) + "…]";
  }
}
