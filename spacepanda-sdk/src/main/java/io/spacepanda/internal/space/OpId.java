package io.spacepanda.internal.space;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The identifier of a space metadata operation: {@value SpaceConstants#ID_LENGTH} bytes.
 *
 * <p>Immutable and thread-safe; compares by content, ordered as unsigned bytes; {@link #toString()}
 * prints hex.
 */
public final class OpId implements Comparable<OpId> {

  private final byte[] bytes;

  private OpId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Returns the id with the given bytes.
   *
   * @param bytes exactly {@value SpaceConstants#ID_LENGTH} bytes, copied
   * @return the id
   * @throws IllegalArgumentException if the length is wrong
   */
  public static OpId of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != SpaceConstants.ID_LENGTH) {
      throw new IllegalArgumentException(
          "OpId must be " + SpaceConstants.ID_LENGTH + " bytes, got " + bytes.length);
    }
    return new OpId(bytes.clone());
  }

  /**
   * Returns a fresh random id.
   *
   * @param random the randomness source
   * @return the id
   */
  public static OpId random(SecureRandom random) {
    byte[] b = new byte[SpaceConstants.ID_LENGTH];
    random.nextBytes(b);
    return new OpId(b);
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
  public int compareTo(OpId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  /**
   * Tells whether {@code o} is an id of the same type with the same bytes.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof OpId && Arrays.equals(bytes, ((OpId) o).bytes);
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
