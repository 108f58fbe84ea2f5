package io.spacepanda.internal.crypto;

import java.util.Objects;

/**
 * RFC 4648 §6 base32, lower case, without padding: multibase {@code 'b'}, the default text form of
 * CIDv1 peer ids.
 *
 * <p>Decoding is strict: upper case, padding and non-zero trailing bits are rejected, so every
 * byte string has exactly one text form. Stateless and thread-safe.
 */
public final class Base32 {

  /** Longest text {@link #decode(String)} accepts (an invite code with fallback admins fits). */
  public static final int MAX_ENCODED_LENGTH = 1400;

  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  private Base32() {}

  /**
   * Encodes bytes as lower-case unpadded base32.
   *
   * @param input the bytes, not modified
   * @return the text
   */
  public static String encode(byte[] input) {
    Objects.requireNonNull(input, "input");
    StringBuilder sb = new StringBuilder((input.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : input) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return sb.toString();
  }

  /**
   * Decodes lower-case unpadded base32.
   *
   * @param text the text
   * @return the bytes
   * @throws IllegalArgumentException if the text is too long, has a character outside the
   *     alphabet, has an impossible length or non-zero trailing bits
   */
  public static byte[] decode(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_ENCODED_LENGTH) {
      throw new IllegalArgumentException("base32 text longer than " + MAX_ENCODED_LENGTH);
    }
    int rem = text.length() % 8;
    if (rem == 1 || rem == 3 || rem == 6) {
      throw new IllegalArgumentException("impossible base32 length " + text.length());
    }
    byte[] out = new byte[text.length() * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      int v = ALPHABET.indexOf(text.charAt(i));
      if (v < 0) {
        throw new IllegalArgumentException("not a base32 character at index " + i);
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    if ((buffer & ((1 << bits) - 1)) != 0) {
      throw new IllegalArgumentException("non-zero trailing bits in base32 text");
    }
    return out;
  }
}
