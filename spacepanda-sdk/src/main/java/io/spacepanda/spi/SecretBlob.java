package io.spacepanda.spi;

import java.security.MessageDigest;

/**
 * Secret bytes kept by a {@link Storage}: key material, MLS group state, key package private keys.
 *
 * <p>The storage treats the bytes as opaque and, when it writes to disk, encrypts them at rest.
 * {@link #toString()} prints only the length, {@link #equals} runs in constant time for blobs of
 * equal length, and the bytes come out only through {@link #revealBytes()}, a call that is easy to
 * find in a code review. A blob holds up to {@value #MAX_LENGTH} bytes (MLS group states of large
 * groups are hundreds of KiB).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SecretBlob {

  /** The largest number of bytes a blob may hold. */
  public static final int MAX_LENGTH = 64 << 20;

  private final byte[] bytes;

  private SecretBlob(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Returns a blob holding a copy of the given bytes.
   *
   * @param bytes the secret bytes, at most {@value #MAX_LENGTH}; copied, so the caller may wipe them
   * @return the blob
   * @throws IllegalArgumentException if {@code bytes} is null or too long
   */
  public static SecretBlob copyOf(byte[] bytes) {
    return new SecretBlob(Checks.copy(bytes, "secret bytes", MAX_LENGTH));
  }

  /**
   * Returns a copy of the secret bytes.
   *
   * @return a new array the caller owns and should wipe when done
   */
  public byte[] revealBytes() {
    return bytes.clone();
  }

  /**
   * Returns the number of secret bytes.
   *
   * @return the length
   */
  public int length() {
    return bytes.length;
  }

  /**
   * Returns whether the other object is a blob with the same bytes, in constant time.
   *
   * @param o the object to compare with
   * @return true if {@code o} is a {@code SecretBlob} with equal bytes
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SecretBlob other && MessageDigest.isEqual(bytes, other.bytes);
  }

  /**
   * Returns a hash of the length only, so that hashing leaks nothing about the bytes.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return bytes.length;
  }

  /**
   * Returns a description with the length and without the bytes.
   *
   * @return for example {@code SecretBlob[32 bytes]}
   */
  @Override
  public String toString() {
    return "SecretBlob[" + bytes.length + " bytes]";
  }
}
