package io.spacepanda.internal.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Secret key material that never shows itself by accident.
 *
 * <p>{@code toString()} prints only the length, {@link #equals(Object)} compares in constant time
 * for equal lengths, and {@link #hashCode()} depends on the length only. The raw bytes come out
 * through one greppable call, {@link #exportSecret()}, which returns a copy. Instances are
 * immutable and thread-safe; this class does not wipe memory (the JVM may have copied the bytes).
 */
public final class SecretBytes {

  private final byte[] bytes;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps a copy of {@code bytes}; the caller keeps ownership of the array it passed.
   *
   * @param bytes the secret, any length (empty allowed)
   * @return the wrapped copy
   * @throws NullPointerException if {@code bytes} is null
   */
  public static SecretBytes copyOf(byte[] bytes) {
    return new SecretBytes(Objects.requireNonNull(bytes, "bytes").clone());
  }

  /**
   * Draws {@code length} fresh bytes from {@code random}.
   *
   * @param length number of bytes, at least 1
   * @param random the source of randomness
   * @return the new secret
   * @throws IllegalArgumentException if {@code length} is not positive
   */
  public static SecretBytes random(int length, SecureRandom random) {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be positive: " + length);
    }
    byte[] b = new byte[length];
    Objects.requireNonNull(random, "random").nextBytes(b);
    return new SecretBytes(b);
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
   * Returns a copy of the raw secret; every call site of this method is a place where a secret
   * leaves its wrapper.
   *
   * @return a fresh copy the caller owns
   */
  public byte[] exportSecret() {
    return bytes.clone();
  }

  /**
   * Compares two secrets in time that depends on their lengths only.
   *
   * @param o the other object
   * @return true if {@code o} is a {@code SecretBytes} with the same bytes
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SecretBytes && MessageDigest.isEqual(bytes, ((SecretBytes) o).bytes);
  }

  /**
   * Returns a hash of the length only, so that hashing leaks nothing about the content.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Integer.hashCode(bytes.length);
  }

  /**
   * Describes the secret without revealing it.
   *
   * @return {@code SecretBytes[n bytes]}
   */
  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes]";
  }

  /** Overwrites a temporary copy of secret material; for arrays this class handed out. */
  static void wipe(byte[] copy) {
    if (copy != null) {
      Arrays.fill(copy, (byte) 0);
    }
  }
}
