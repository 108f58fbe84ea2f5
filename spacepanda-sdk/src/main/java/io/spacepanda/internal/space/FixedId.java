package io.spacepanda.internal.space;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The common shape of the space layer's {@value SpaceConstants#ID_LENGTH}-byte identifiers
 * ({@link SpaceId}, {@link ChannelId}, {@link OpId}).
 *
 * <p>Immutable and thread-safe; compares by type and content, ordered as unsigned bytes; {@link
 * #toString()} prints hex.
 *
 * @param <T> the concrete id type
 */
abstract class FixedId<T extends FixedId<T>> implements Comparable<T> {

  private final byte[] bytes;

  FixedId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Checks the length of bytes given to a factory and copies them. */
  static byte[] checked(byte[] bytes, String type) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != SpaceConstants.ID_LENGTH) {
      throw new IllegalArgumentException(
          type + " must be " + SpaceConstants.ID_LENGTH + " bytes, got " + bytes.length);
    }
    return bytes.clone();
  }

  /** Draws the bytes of a fresh random id. */
  static byte[] randomBytes(SecureRandom random) {
    byte[] b = new byte[SpaceConstants.ID_LENGTH];
    random.nextBytes(b);
    return b;
  }

  /**
   * Returns the id's bytes.
   *
   * @return a fresh copy the caller owns
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] rawBytes() {
    return bytes;
  }

  /**
   * Compares the bytes as unsigned bytes, lexicographically.
   *
   * @param other the other id
   * @return negative, zero or positive
   */
  @Override
  public int compareTo(T other) {
    return Arrays.compareUnsigned(bytes, ((FixedId<?>) other).bytes);
  }

  /**
   * Tells whether {@code o} is an id of the same type with the same bytes.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((FixedId<?>) o).bytes);
  }

  /**
   * Returns a hash of the bytes.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /**
   * Returns the bytes in lower-case hex.
   *
   * @return the hex text
   */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
