package io.spacepanda.internal.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * Base58 with the bitcoin alphabet ({@code base58btc}), the text form of libp2p peer ids.
 *
 * <p>Design: plain big-number conversion in base 256 ↔ base 58, one leading {@code '1'} per leading
 * zero byte (multibase spec, base58btc). The work is quadratic in the length, so {@link
 * #decode(String)} refuses inputs longer than {@link #MAX_ENCODED_LENGTH}; peer ids are ≤ 64
 * characters. Stateless and thread-safe.
 */
public final class Base58 {

  /** Longest text {@link #decode(String)} accepts. */
  public static final int MAX_ENCODED_LENGTH = 256;

  private static final char[] ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
  private static final int[] INDEXES = new int[128];

  static {
    Arrays.fill(INDEXES, -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      INDEXES[ALPHABET[i]] = i;
    }
  }

  private Base58() {}

  /**
   * Encodes bytes as base58btc text.
   *
   * @param input the bytes, not modified
   * @return the text, empty for empty input
   */
  public static String encode(byte[] input) {
    Objects.requireNonNull(input, "input");
    int zeros = 0;
    while (zeros < input.length && input[zeros] == 0) {
      zeros++;
    }
    // Each byte needs at most log(256)/log(58) ≈ 1.37 digits.
    byte[] digits = new byte[input.length * 138 / 100 + 1];
    int used = 0;
    for (int i = zeros; i < input.length; i++) {
      int carry = input[i] & 0xff;
      for (int j = 0; j < used; j++) {
        carry += (digits[j] & 0xff) << 8;
        digits[j] = (byte) (carry % 58);
        carry /= 58;
      }
      while (carry > 0) {
        digits[used++] = (byte) (carry % 58);
        carry /= 58;
      }
    }
    StringBuilder sb = new StringBuilder(zeros + used);
    for (int i = 0; i < zeros; i++) {
      sb.append('1');
    }
    for (int i = used - 1; i >= 0; i--) {
      sb.append(ALPHABET[digits[i]]);
    }
    return sb.toString();
  }

  /**
   * Decodes base58btc text.
   *
   * @param text the text
   * @return the bytes
   * @throws IllegalArgumentException if the text is longer than {@link #MAX_ENCODED_LENGTH} or has
   *     a character outside the alphabet
   */
  public static byte[] decode(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_ENCODED_LENGTH) {
      throw new IllegalArgumentException("base58 text longer than " + MAX_ENCODED_LENGTH);
    }
    int zeros = 0;
    while (zeros < text.length() && text.charAt(zeros) == '1') {
      zeros++;
    }
    // Each digit adds at most log(58)/log(256) ≈ 0.733 bytes.
    byte[] bytes = new byte[text.length() * 733 / 1000 + 1];
    int used = 0;
    for (int i = zeros; i < text.length(); i++) {
      char c = text.charAt(i);
      int digit = c < 128 ? INDEXES[c] : -1;
      if (digit < 0) {
        throw new IllegalArgumentException("not a base58btc character at index " + i);
      }
      int carry = digit;
      for (int j = 0; j < used; j++) {
        carry += (bytes[j] & 0xff) * 58;
        bytes[j] = (byte) carry;
        carry >>>= 8;
      }
      while (carry > 0) {
        bytes[used++] = (byte) carry;
        carry >>>= 8;
      }
    }
    byte[] out = new byte[zeros + used];
    for (int i = 0; i < used; i++) {
      out[zeros + i] = bytes[used - 1 - i];
    }
    return out;
  }
}
