package io.spacepanda;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The id of a channel message: the SHA-256 hash of its MLS ciphertext, identical on every member.
 *
 * <p>Immutable value type; two ids are equal when their bytes are.
 */
public final class MessageId implements Comparable<MessageId> {

  /** The length of an id in bytes. */
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private MessageId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps the 32 bytes of an id.
   *
   * @param bytes the id's bytes; copied
   * @return the id
   * @throws IllegalArgumentException if there are not exactly {@value #LENGTH} bytes
   */
  public static MessageId of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a message id has " + LENGTH + " bytes, not " + bytes.length);
    }
    return new MessageId(bytes.clone());
  }

  /**
   * Parses the hex form written by {@link #toString()}.
   *
   * @param hex 64 hex digits
   * @return the id
   * @throws IllegalArgumentException if the text is not 64 hex digits
   */
  public static MessageId parse(String hex) {
    Objects.requireNonNull(hex, "hex");
    return of(HexFormat.of().parseHex(hex));
  }

  /**
   * Returns the bytes of the id.
   *
   * @return a copy of the 32 bytes
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public int compareTo(MessageId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageId m && MessageDigest.isEqual(m.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /**
   * Returns the id as 64 lowercase hex digits.
   *
   * @return the hex form
   */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
