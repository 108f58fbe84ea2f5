package io.spacepanda.spi;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An opaque identifier as the storage sees it: an immutable string of 1 to {@value #MAX_LENGTH}
 * bytes that compares by content.
 *
 * <p>Storage does not interpret ids. Callers wrap the bytes of their own id types: a PeerId's
 * binary form, an MLS group id, a channel or space id, a message id (32 bytes, see {@link
 * StoredMessage#MESSAGE_ID_LENGTH}), an envelope id, a key package reference, an invite secret's
 * hash. Ids are not secret and {@link #toString()} prints them in hex. Ordering ({@link
 * #compareTo}) is unsigned lexicographic, shorter first on a common prefix, which is what SQLite
 * does with BLOBs.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Id implements Comparable<Id> {

  /** The largest number of bytes an id may have. */
  public static final int MAX_LENGTH = 255;

  private final byte[] bytes;
  private final int hash;

  private Id(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * Returns an id holding a copy of the given bytes.
   *
   * @param bytes the id's bytes, 1 to {@value #MAX_LENGTH} of them; copied
   * @return the id
   * @throws IllegalArgumentException if {@code bytes} is null, empty or too long
   */
  public static Id of(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalArgumentException("id bytes must not be null");
    }
    if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "id length must be 1.." + MAX_LENGTH + " bytes, was " + bytes.length);
    }
    return new Id(bytes.clone());
  }

  /**
   * Returns an id parsed from lowercase or uppercase hex.
   *
   * @param hex the id's bytes in hex
   * @return the id
   * @throws IllegalArgumentException if {@code hex} is null, not hex, or of a bad length
   */
  public static Id ofHex(String hex) {
    if (hex == null) {
      throw new IllegalArgumentException("hex must not be null");
    }
    return of(HexFormat.of().parseHex(hex));
  }

  /**
   * Returns a copy of this id's bytes.
   *
   * @return a new array the caller may keep and modify
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * Returns the number of bytes of this id.
   *
   * @return the length, 1 to {@value #MAX_LENGTH}
   */
  public int length() {
    return bytes.length;
  }

  /**
   * Compares two ids as unsigned byte strings, shorter first on a common prefix.
   *
   * @param other the id to compare with
   * @return negative, zero or positive as this id sorts before, equal to or after {@code other}
   */
  @Override
  public int compareTo(Id other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  /**
   * Returns whether the other object is an id with the same bytes.
   *
   * @param o the object to compare with
   * @return true if {@code o} is an {@code Id} with equal bytes
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Id other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  /**
   * Returns a hash of the id's bytes.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return hash;
  }

  /**
   * Returns the id's bytes in lowercase hex.
   *
   * @return the hex form
   */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
