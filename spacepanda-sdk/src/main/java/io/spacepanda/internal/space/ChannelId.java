package io.spacepanda.internal.space;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The identifier of a channel: {@value SpaceConstants#ID_LENGTH} bytes.
 *
 * <p>Immutable and thread-safe; compares by content, ordered as unsigned bytes; {@link #toString()}
 * prints hex.
 */
public final class ChannelId implements Comparable<ChannelId> {

  private final byte[] bytes;

  private ChannelId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Returns the id with the given bytes.
   *
   * @param bytes exactly {@value SpaceConstants#ID_LENGTH} bytes, copied
   * @return the id
   * @throws IllegalArgumentException if the length is wrong
   */
  public static ChannelId of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != SpaceConstants.ID_LENGTH) {
      throw new IllegalArgumentException(
          "ChannelId must be " + SpaceConstants.ID_LENGTH + " bytes, got " + bytes.length);
    }
    return new ChannelId(bytes.clone());
  }

  /**
   * Returns a fresh random id.
   *
   * @param random the randomness source
   * @return the id
   */
  public static ChannelId random(SecureRandom random) {
    byte[] b = new byte[SpaceConstants.ID_LENGTH];
    random.nextBytes(b);
    return new ChannelId(b);
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
  public int compareTo(ChannelId other) {
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
    return o instanceof ChannelId && Arrays.equals(bytes, ((ChannelId) o).bytes);
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
